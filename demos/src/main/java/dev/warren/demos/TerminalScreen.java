package dev.warren.demos;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A full-screen view for the demos' live dashboards: drawn on the terminal's alternate screen (the
 * shell's screen comes back as it was when the view closes), each frame written over the last one from
 * the top without clearing first (no flicker), every line cut to the terminal's width, and without
 * colours or bold when {@code NO_COLOR} is set (https://no-color.org).
 *
 * <p>Not thread-safe: one tasklet or thread draws.
 */
public final class TerminalScreen implements AutoCloseable {
    private static final String ENTER = "\033[?1049h";
    private static final String LEAVE = "\033[?1049l";
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE_END = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";

    private final PrintStream out;
    private final int width;
    private final boolean color;

    /** A screen of {@code width} columns on {@code out}; {@code color} false drops every style. */
    public TerminalScreen(PrintStream out, int width, boolean color) {
        this.out = out;
        this.width = width;
        this.color = color;
    }

    /** Enters the alternate screen of the terminal behind {@code out}. */
    static TerminalScreen open(PrintStream out) {
        String noColor = System.getenv("NO_COLOR");
        TerminalScreen s = new TerminalScreen(out, terminalWidth(), noColor == null || noColor.isEmpty());
        out.print(ENTER);
        out.flush();
        return s;
    }

    /** Draws {@code frame} (lines ended by '\n', may hold SGR styles such as bold) over the last one. */
    void draw(String frame) {
        out.print(render(frame));
        out.flush();
    }

    /** The bytes {@link #draw} writes for {@code frame}: pure, for tests. */
    public String render(String frame) {
        StringBuilder b = new StringBuilder(frame.length() + 256).append(HOME);
        int start = 0;
        while (start < frame.length()) {
            int nl = frame.indexOf('\n', start);
            int end = nl < 0 ? frame.length() : nl;
            appendCut(b, frame, start, end);
            b.append(CLEAR_LINE_END);
            if (nl < 0) {
                break;
            }
            b.append('\n');
            start = nl + 1;
        }
        return b.append(CLEAR_BELOW).toString();
    }

    /** Appends one line, styles kept (or dropped without colour), cut after {@code width} visible characters. */
    private void appendCut(StringBuilder b, String s, int from, int to) {
        int visible = 0;
        boolean styled = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\033' && i + 1 < to && s.charAt(i + 1) == '[') {
                int m = i + 2;
                while (m < to && !Character.isLetter(s.charAt(m))) {
                    m++;
                }
                if (color) {
                    b.append(s, i, Math.min(m + 1, to));
                    styled = true;
                }
                i = m;
                continue;
            }
            if (c == '\r') {
                continue;
            }
            if (visible == width) {
                break;
            }
            b.append(c);
            visible++;
        }
        if (styled) {
            b.append("\033[0m"); // a style cut off with its line does not leak into the next
        }
    }

    @Override
    public void close() {
        out.print(LEAVE);
        out.flush();
    }

    /**
     * The terminal's width in columns: {@code stty size} on the controlling terminal, else {@code COLUMNS},
     * else 120.
     */
    static int terminalWidth() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
                    .redirectErrorStream(true)
                    .start();
            String answer =
                    new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                int space = answer.lastIndexOf(' ');
                int columns = space < 0 ? 0 : Integer.parseInt(answer.substring(space + 1));
                if (columns > 0) {
                    return columns; // "ROWS COLUMNS"
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no terminal to ask: fall back below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
            if (c > 0) {
                return c;
            }
        } catch (NumberFormatException notSet) {
            // fall through
        }
        return 120;
    }
}
