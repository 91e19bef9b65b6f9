package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Output;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.SourceStage;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * {@code (file,path=P)}: as a source (first in a chain), reads the file once in blocks of
 * {@code block=64k} bytes, then its input ends; as a sink, writes every block to the file
 * ({@code append} to keep what is there, {@code newline} to end each block with {@code \n}) and passes
 * it on.
 */
public final class FileStage implements StageType {
    @Override
    public String name() {
        return "file";
    }

    @Override
    public String info() {
        return "reads path=P in blocks (block=64k) as a source; writes blocks to path=P as a sink (append, newline)";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE, Role.STAGE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        if (role == Role.SOURCE) {
            o.allowOnly("path", "block");
            block(o);
        } else {
            o.allowOnly("path", "append", "newline");
            o.flag("append");
            o.flag("newline");
        }
        path(o);
    }

    private static Path path(StageOptions o) {
        String p = o.require("path");
        try {
            return Path.of(p);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("option 'path' is not a path: " + e.getMessage());
        }
    }

    static int block(StageOptions o) {
        return (int) o.size("block", 64 << 10, 1, 64 << 20);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        Path path = path(o);
        if (role == Role.SOURCE) {
            return new Reader(path, block(o));
        }
        boolean append = o.flag("append");
        return new ByteSink(o.flag("newline")) {
            @Override
            OutputStream openStream() throws IOException {
                return append
                        ? Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                        : Files.newOutputStream(path);
            }

            @Override
            boolean closeStream() {
                return true;
            }
        };
    }

    /** Reads a stream in blocks; the source of {@code file} and {@code stdin}. */
    static class Reader implements SourceStage {
        private final Path path;
        private final byte[] buf;
        private volatile InputStream in;
        private volatile boolean stopped;
        private volatile long blocks;
        private volatile long bytes;

        Reader(Path path, int block) {
            this.path = path;
            this.buf = new byte[block];
        }

        InputStream openStream() throws IOException {
            return Files.newInputStream(path);
        }

        @Override
        public void open(StageContext ctx) throws IOException {
            in = openStream(); // a missing file fails the request here
        }

        @Override
        @SuppressWarnings("NonAtomicVolatileUpdate") // only the source's tasklet writes; volatile for state()
        public void run(Output out) throws IOException, InterruptedException {
            InputStream s = in;
            for (int n; !stopped && (n = s.read(buf, 0, buf.length)) >= 0; ) {
                if (n > 0) {
                    blocks++;
                    bytes += n;
                    out.emit(buf, 0, n);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }

        @Override
        public void stop() {
            stopped = true;
        }

        @Override
        public void close() throws IOException {
            InputStream s = in;
            if (s != null && path != null) {
                s.close();
            }
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("blocks", blocks, "bytes", bytes);
        }
    }
}
