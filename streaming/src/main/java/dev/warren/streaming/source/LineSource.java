package dev.warren.streaming.source;

import dev.warren.streaming.Emitter;
import dev.warren.streaming.Source;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;

/** Lines of an input stream, bounded in length; see {@link Sources}. */
final class LineSource implements Source<String> {

    interface Opener {
        InputStream open() throws IOException;
    }

    private final String name;
    private final Opener opener;
    private final boolean closeAtEnd;
    private final int maxLine;
    private volatile InputStream open;

    LineSource(String name, Opener opener, boolean closeAtEnd, int maxLine) {
        this.name = name;
        this.opener = opener;
        this.closeAtEnd = closeAtEnd;
        this.maxLine = maxLine;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void run(Emitter<String> out) throws Exception {
        InputStream in = opener.open();
        open = in;
        try {
            Reader r = new BufferedReader(new InputStreamReader(in, Sources.UTF8), 1 << 16);
            StringBuilder line = new StringBuilder(128);
            boolean tooLong = false;
            for (int c; (c = r.read()) != -1; ) {
                if (c == '\n') {
                    deliver(out, line, tooLong);
                    line.setLength(0);
                    tooLong = false;
                } else if (!tooLong) {
                    if (line.length() >= maxLine) {
                        tooLong = true;
                    } else {
                        line.append((char) c);
                    }
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("source '" + name + "' stopped");
                }
            }
            if (line.length() > 0 || tooLong) {
                deliver(out, line, tooLong);
            }
        } finally {
            open = null;
            if (closeAtEnd) {
                in.close();
            }
        }
    }

    private void deliver(Emitter<String> out, StringBuilder line, boolean tooLong) throws InterruptedException {
        int n = line.length();
        if (!tooLong && n > 0 && line.charAt(n - 1) == '\r') {
            line.setLength(n - 1);
        }
        if (tooLong) {
            out.reject(
                    line.substring(0, Math.min(64, line.length())) + "...",
                    "line longer than " + maxLine + " characters");
        } else {
            out.emit(line.toString());
        }
    }

    @Override
    public void close() {
        InputStream in = open;
        if (in != null && closeAtEnd) {
            try {
                in.close();
            } catch (IOException ignored) {
                // Closing only unblocks run(); run() reports its own read failure.
            }
        }
    }

    @Override
    public String toString() {
        return "LineSource[" + name + "]";
    }
}
