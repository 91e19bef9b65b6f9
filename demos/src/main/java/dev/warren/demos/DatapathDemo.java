package dev.warren.demos;

import dev.warren.net.admin.AdminServer;
import dev.warren.streaming.datapath.Datapath;
import dev.warren.streaming.datapath.DatapathException;
import dev.warren.streaming.datapath.Datapaths;
import dev.warren.streaming.datapath.RequestException;
import dev.warren.streaming.datapath.StageStats;
import dev.warren.streaming.datapath.StreamReader;
import dev.warren.streaming.datapath.Streams;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./datapath 'REQUEST' [--read NAME] [--dot] [--admin PORT]}, {@code ./datapath --stages}: builds a datapath from one request
 * ({@link Datapaths#insert}) and shows every stage's counts once a second, a table on a terminal and one
 * line per second otherwise. {@code --read NAME} writes the exported stream's raw bytes to stdout (so it
 * pipes; the counts then go to stderr). {@code --dot} prints the graph with its final counts as Graphviz
 * DOT when the datapath is removed, and renders {@code datapath-ID.png} when Graphviz's {@code dot} is on
 * the PATH. Ctrl-C or SIGTERM removes the datapath (every stage closed, the readers see the end) and
 * prints the totals; so does a datapath whose sources all end ({@code (gen,count=N)}, a file). A bad
 * request prints the error with a caret under its place and exits 2.
 *
 * <p>{@code --admin PORT} (taken out by {@link Main} through {@link AdminOption}, with {@code --admin-bind}
 * and {@code WARREN_ADMIN_TOKEN}) starts the admin server with the datapath views beside its own
 * endpoints ({@code DatapathsHttp.router()}): {@code /streams/NAME?follow=1} streams an exported stream
 * chunked, {@code /datapaths.json} is the report, {@code /datapaths/ID.dot} the graph with live counts;
 * the header names their URLs.
 */
final class DatapathDemo {
    private DatapathDemo() {}

    static final String USAGE = """
            usage: ./datapath 'REQUEST' [--read NAME] [--dot] [--admin PORT]
                   ./datapath --stages
              REQUEST       a datapath, e.g. '(tcpsock,expression=5000) > (compress,export,name=mybuf)'
              --read NAME   write the exported stream NAME's raw bytes to stdout (counts go to stderr)
              --dot         print the graph with its final counts as Graphviz DOT at the end
                            (and render datapath-ID.png when Graphviz's dot is installed)
              --stages      list the stage classes and exit
            Counts are shown once a second (a table on a terminal). Ctrl-C or SIGTERM removes the
            datapath and prints the totals; a datapath whose sources all end stops by itself.
            With --admin, the admin server also serves /streams/NAME?follow=1 (an exported stream,
            chunked), /datapaths.json and /datapaths/ID.dot.""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    record Options(String request, String read, boolean dot, boolean stages) {}

    /** Parses the command line; throws IllegalArgumentException naming the bad argument. */
    static Options parse(String[] args) {
        String request = null;
        String read = null;
        boolean dot = false;
        boolean stages = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--read" -> {
                    if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                        throw new IllegalArgumentException("--read needs the name of an exported stream");
                    }
                    read = args[++i];
                }
                case "--dot" -> dot = true;
                case "--stages" -> stages = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                    if (request != null) {
                        throw new IllegalArgumentException(
                                "one request only (quote it): '" + request + "', then '" + a + "'");
                    }
                    request = a;
                }
            }
        }
        if (request == null && !stages) {
            throw new IllegalArgumentException("no request given");
        }
        return new Options(request, read, dot, stages);
    }

    /** Runs it; {@code admin} is the admin server {@code --admin} started (serving the datapath views), or null. */
    static int run(String[] args, AdminServer admin) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("datapath: " + e.getMessage());
            }
            System.err.println(USAGE);
            return 2;
        }
        if (o.stages()) {
            for (Map.Entry<String, String> e : Datapaths.stages().entrySet()) {
                System.out.printf("  %-12s %s%n", e.getKey(), e.getValue());
            }
            for (Map.Entry<String, String> e : Datapaths.unavailableStages().entrySet()) {
                System.out.printf("  %-12s unavailable: %s%n", e.getKey(), e.getValue());
            }
            return 0;
        }
        return new Session(o, admin).run();
    }

    /** One run: the datapath, the reader, the display and the shutdown hook. */
    static final class Session {
        private final Options o;
        /** Counts, the header and the totals: stderr when the stream's bytes take stdout. */
        private final PrintStream info;

        private final boolean table;
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        /** Set by the shutdown hook (Ctrl-C, SIGTERM), which then ends the process with status 0. */
        private volatile boolean signalled;

        /** Serves the datapath views, or null. */
        private final AdminServer admin;

        Session(Options o, AdminServer admin) {
            this.o = o;
            this.admin = admin;
            this.info = o.read() != null ? System.err : System.out;
            this.table = o.read() == null && HiveParser.stdoutIsTerminal();
        }

        int run() throws Exception {
            Datapath dp;
            try {
                dp = Datapaths.insert(o.request());
            } catch (RequestException e) {
                System.err.println("datapath: " + e.getMessage());
                return 2;
            } catch (DatapathException e) {
                System.err.println("datapath: " + e.getMessage());
                return 1;
            }
            StreamReader reader = null;
            if (o.read() != null) {
                try {
                    reader = Streams.open(o.read());
                } catch (java.util.NoSuchElementException e) {
                    dp.close();
                    System.err.println("datapath: --read " + o.read() + ": " + e.getMessage());
                    return 2;
                }
            }
            Thread hook = GracefulStop.install("datapath", () -> {
                signalled = true;
                stop.countDown();
                try {
                    finished.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            header(dp);
            Thread copier = null;
            Copy copy = null;
            if (reader != null) {
                copy = new Copy(reader, new FileOutputStream(FileDescriptor.out), stop::countDown);
                copier = Thread.ofPlatform().name("datapath --read " + o.read()).start(copy);
            }
            try {
                long start = System.nanoTime();
                List<StageStats> prev = dp.stats();
                long prevAt = start;
                for (; ; ) {
                    if (stop.await(1, TimeUnit.SECONDS)) {
                        break;
                    }
                    long now = System.nanoTime();
                    List<StageStats> cur = dp.stats();
                    show(dp, cur, prev, (now - prevAt) / 1e9, (now - start) / 1e9);
                    prev = cur;
                    prevAt = now;
                    if (dp.isDone() && (copier == null || !copier.isAlive())) {
                        break;
                    }
                }
                dp.close(); // every stage closed; the reader reads what is left, then the end
                if (copier != null) {
                    copier.join(TimeUnit.SECONDS.toMillis(30));
                }
                totals(dp, copy);
                if (o.dot()) {
                    dot(dp);
                }
                return copy != null && copy.failure != null ? 1 : 0;
            } finally {
                finished.countDown();
                if (!signalled) {
                    GracefulStop.remove(hook); // ending on its own: its exit status stands
                }
            }
        }

        private void header(Datapath dp) {
            info.println("datapath " + dp.id() + ": " + dp.request());
            for (StageStats s : dp.stats()) {
                Object port = s.state().get("port");
                if (port != null) {
                    info.println("  #" + s.index() + " " + s.label() + " listening on port " + port);
                }
            }
            if (!dp.exports().isEmpty()) {
                info.println("  exported streams: " + String.join(", ", dp.exports()));
            }
            if (admin != null) {
                String url = AdminOption.url(admin);
                for (String name : dp.exports()) {
                    info.println("  " + url + "/streams/" + name + "?follow=1");
                }
                info.println("  " + url + "/datapaths.json, " + url + "/datapaths/" + dp.id() + ".dot");
            }
            info.flush();
        }

        private void show(Datapath dp, List<StageStats> cur, List<StageStats> prev, double dt, double up) {
            if (table) {
                StringBuilder s = new StringBuilder("\033[H\033[2J");
                s.append(String.format(
                        Locale.ROOT,
                        "\033[1mdatapath %d\033[0m  %s   up %.0fs   (Ctrl-C removes it)%n%n",
                        dp.id(),
                        dp.state().name().toLowerCase(Locale.ROOT),
                        up));
                s.append(String.format(
                        Locale.ROOT,
                        "  \033[1m%-3s %-14s %12s %10s %12s %10s %10s %8s %9s\033[0m%n",
                        "#",
                        "stage",
                        "in",
                        "in/s",
                        "out",
                        "dropped",
                        "bytes in",
                        "errors",
                        "time"));
                for (int i = 0; i < cur.size(); i++) {
                    StageStats c = cur.get(i);
                    s.append(String.format(
                            Locale.ROOT,
                            "  %-3d %-14s %12d %10s %12d %10d %10s %8d %8.0fms%n",
                            c.index(),
                            abbreviate(c.label(), 14),
                            c.in(),
                            rate(c.in() - prev.get(i).in(), dt),
                            c.outTotal(),
                            c.dropped(),
                            bytes(c.bytesIn()),
                            c.errors(),
                            c.timeNanos() / 1e6));
                }
                s.append('\n').append(dp.request()).append('\n');
                if (admin != null) {
                    // the header scrolled away with the first table: the URLs stay in view here
                    String url = AdminOption.url(admin);
                    s.append("admin: ").append(url).append("/  ");
                    for (String name : dp.exports()) {
                        s.append(url).append("/streams/").append(name).append("?follow=1  ");
                    }
                    s.append(url).append("/datapaths/").append(dp.id()).append(".dot\n");
                }
                info.print(s);
            } else {
                StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%4.0fs", up));
                for (int i = 0; i < cur.size(); i++) {
                    StageStats c = cur.get(i);
                    s.append(" | #")
                            .append(c.index())
                            .append(' ')
                            .append(c.label())
                            .append(" in=")
                            .append(c.in())
                            .append(" (")
                            .append(rate(c.in() - prev.get(i).in(), dt))
                            .append("/s) out=")
                            .append(c.outTotal());
                    if (c.dropped() > 0) {
                        s.append(" dropped=").append(c.dropped());
                    }
                    if (c.errors() > 0) {
                        s.append(" errors=").append(c.errors());
                    }
                }
                info.println(s);
            }
            info.flush();
        }

        private void totals(Datapath dp, Copy copy) {
            info.println("datapath " + dp.id() + " removed ("
                    + dp.state().name().toLowerCase(Locale.ROOT) + ", every stage closed); totals:");
            for (StageStats c : dp.stats()) {
                StringBuilder s = new StringBuilder(String.format(
                        Locale.ROOT,
                        "  #%-2d %-14s in=%d (%s) out=%d",
                        c.index(),
                        abbreviate(c.label(), 14),
                        c.in(),
                        bytes(c.bytesIn()),
                        c.outTotal()));
                if (c.dropped() > 0) {
                    s.append(" dropped=").append(c.dropped());
                }
                if (c.unrouted() > 0) {
                    s.append(" unrouted=").append(c.unrouted());
                }
                if (c.errors() > 0) {
                    s.append(" errors=").append(c.errors());
                }
                if (!c.state().isEmpty()) {
                    s.append(' ').append(c.state());
                }
                info.println(s);
            }
            if (copy != null) {
                info.println("  --read " + o.read() + ": " + copy.bytes + " bytes to stdout, " + copy.overruns
                        + " overruns (" + copy.skipped + " bytes skipped)"
                        + (copy.failure != null ? "; stopped: " + copy.failure : ""));
            }
            info.flush();
        }

        private void dot(Datapath dp) {
            String dot = dp.dot();
            info.print(dot);
            info.flush();
            Path file = Path.of("datapath-" + dp.id() + ".png");
            try {
                Process p = new ProcessBuilder("dot", "-Tpng", "-o", file.toString())
                        .redirectErrorStream(true)
                        .start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(dot.getBytes(StandardCharsets.UTF_8));
                }
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    info.println("datapath: Graphviz dot did not finish within 30 s; no PNG");
                } else if (p.exitValue() == 0 && Files.isRegularFile(file)) {
                    info.println("datapath: graph rendered to " + file.toAbsolutePath());
                } else {
                    info.println("datapath: Graphviz dot failed (exit " + p.exitValue() + "): " + said.strip());
                }
            } catch (IOException e) {
                info.println("datapath: no PNG (Graphviz's dot is not installed; the DOT text is above)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            info.flush();
        }
    }

    /** Copies the exported stream to stdout until its end (the datapath's close ends it). */
    static final class Copy implements Runnable {
        private final StreamReader reader;
        private final OutputStream out;
        /** Called when stdout fails (a closed pipe): nothing can be delivered any more, so the demo stops. */
        private final Runnable onFailure;

        volatile long bytes;
        volatile long overruns;
        volatile long skipped;
        volatile String failure;

        Copy(StreamReader reader, OutputStream out, Runnable onFailure) {
            this.reader = reader;
            this.out = out;
            this.onFailure = onFailure;
        }

        @Override
        @SuppressWarnings("NonAtomicVolatileUpdate") // written by this thread only; volatile for the totals
        public void run() {
            byte[] buf = new byte[1 << 16];
            try (reader) {
                for (int n; (n = reader.read(buf, 0, buf.length)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                    bytes += n;
                }
            } catch (IOException e) {
                failure = "stdout: " + e.getMessage(); // a closed pipe (| head)
                onFailure.run();
            } catch (InterruptedException e) {
                failure = "interrupted";
                onFailure.run();
            } finally {
                overruns = reader.overruns();
                skipped = reader.skippedBytes();
            }
        }
    }

    private static String rate(long n, double seconds) {
        double r = seconds <= 0 ? 0 : n / seconds;
        return r >= 1e6 ? String.format(Locale.ROOT, "%.2fM", r / 1e6) : String.format(Locale.ROOT, "%.0f", r);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1 << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
