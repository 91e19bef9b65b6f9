package dev.warren.demos;

import dev.warren.net.frame.FrameFormat;
import dev.warren.streaming.JobStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.ShardStats;
import dev.warren.streaming.Source;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.source.TcpFrameSource;
import dev.warren.streaming.source.UdpLineSource;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.WindowSpec;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Tasklet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./hiveparser}: trafilo's dashboard demo, done properly. Receives {@code KEY [VALUE [TIMESTAMP_MS]]}
 * lines over UDP (and framed TCP messages with {@code --tcp}), keeps per-key windows of count / sum / min /
 * max in a {@link StreamJob}, and shows a live dashboard (a terminal) or one summary line per second (not a
 * terminal). {@code --jsonl} writes every window emission as a JSON line; {@code --generate} sends load
 * to itself. SIGINT/SIGTERM drain the job, flush the final windows and print the totals; the exit code is
 * then 0.
 */
final class HiveParser {
    static final String USAGE = """
            usage: hiveparser [--port 9999] [--tcp PORT] [--shards N] [--window 5s]
                              [--slide 1s | --tumbling | --session-gap 2s] [--event-time]
                              [--jsonl FILE|-] [--generate RATE --keys K [--duration 10s]]
              --port P          UDP port for KEY [VALUE [TIMESTAMP_MS]] lines, one or several per datagram
                                (default 9999; 0 picks a free one)
              --tcp P           also accept framed TCP messages (BuffStreams framing, <= 4096 bytes each)
              --shards N        key shards (default: the number of processors)
              --window D        window size (default 5s); durations: 250ms, 5s, 2m, 1h
              --slide D         sliding windows advancing by D (the default, 1s)
              --tumbling        tumbling windows of the window size
              --session-gap D   session windows closed after D without events for a key
              --event-time      use each line's TIMESTAMP_MS (1 s out-of-orderness); late lines are counted, and
                                lines stamped more than a minute ahead of the clock are counted as future
              --jsonl FILE|-    write every window emission as a JSON line to FILE (- : stdout)
              --generate RATE   send RATE lines/s over UDP to ourselves, over --keys K keys
              --duration D      with --generate: stop after D, flush, print totals and exit
            Stop with Ctrl-C (or SIGTERM): the final windows are flushed, then the totals printed.""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE;

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** The parsed command line. */
    record Options(
            int port,
            int tcpPort,
            int shards,
            Duration window,
            Duration slide,
            boolean tumbling,
            Duration sessionGap,
            boolean eventTime,
            String jsonl,
            long rate,
            int keys,
            Duration duration) {

        WindowSpec windowSpec() {
            if (sessionGap != null) {
                return Windows.session(sessionGap);
            }
            if (tumbling) {
                return Windows.tumbling(window);
            }
            return Windows.sliding(window, slide);
        }
    }

    private HiveParser() {}

    static int run(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("hiveparser: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        return new Session(o, System.out, System.err).run();
    }

    static Options parse(String[] args) {
        int port = 9999;
        int tcp = -1;
        int shards = Math.max(1, Runtime.getRuntime().availableProcessors());
        Duration window = Duration.ofSeconds(5);
        Duration slide = null;
        boolean tumbling = false;
        Duration gap = null;
        boolean eventTime = false;
        String jsonl = null;
        long rate = 0;
        int keys = 0;
        Duration duration = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = (int) number(a, value(args, ++i, a), 0, 65535);
                case "--tcp" -> tcp = (int) number(a, value(args, ++i, a), 0, 65535);
                case "--shards" -> shards = (int) number(a, value(args, ++i, a), 1, 1024);
                case "--window" -> window = duration(a, value(args, ++i, a));
                case "--slide" -> slide = duration(a, value(args, ++i, a));
                case "--tumbling" -> tumbling = true;
                case "--session-gap" -> gap = duration(a, value(args, ++i, a));
                case "--event-time" -> eventTime = true;
                case "--jsonl" -> jsonl = value(args, ++i, a);
                case "--generate" -> rate = number(a, value(args, ++i, a), 1, 10_000_000);
                case "--keys" -> keys = (int) number(a, value(args, ++i, a), 1, 10_000_000);
                case "--duration" -> duration = duration(a, value(args, ++i, a));
                case "-h", "--help" -> throw new IllegalArgumentException("help requested");
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        int kinds = (slide != null ? 1 : 0) + (tumbling ? 1 : 0) + (gap != null ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalArgumentException("choose one of --slide, --tumbling, --session-gap");
        }
        if (slide == null && !tumbling && gap == null) {
            slide = Duration.ofSeconds(1).compareTo(window) < 0 ? Duration.ofSeconds(1) : window;
        }
        if (slide != null && (slide.compareTo(window) > 0 || window.toMillis() % slide.toMillis() != 0)) {
            throw new IllegalArgumentException(
                    "--slide " + slide.toMillis() + "ms must divide --window " + window.toMillis() + "ms");
        }
        if (rate > 0 && keys == 0) {
            throw new IllegalArgumentException("--generate needs --keys K");
        }
        if (rate == 0 && (keys > 0 || duration != null)) {
            throw new IllegalArgumentException("--keys and --duration go with --generate RATE");
        }
        if (jsonl != null && jsonl.isBlank()) {
            throw new IllegalArgumentException("--jsonl needs a file name or -");
        }
        return new Options(port, tcp, shards, window, slide, tumbling, gap, eventTime, jsonl, rate, keys, duration);
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static long number(String name, String raw, long min, long max) {
        long v;
        try {
            v = Long.parseLong(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + raw + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    static Duration duration(String name, String raw) {
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    name + " must be a duration like 500ms, 5s, 2m or 1h, was '" + raw + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is too large: '" + raw + "'");
        }
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be between 1ms and 24h, was '" + raw + "'");
        }
        return d;
    }

    /** One run of the demo: the job, its sources, the generator, the display and the shutdown hook. */
    static final class Session {
        private final Options o;
        private final PrintStream out;
        private final PrintStream err;
        private final boolean dashboard;
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private final Map<String, WindowResult<String, Stats>> latest = new ConcurrentHashMap<>();
        /** The top keys of the last second, for the {@code top_keys} report the admin dashboard shows. */
        private volatile List<WindowResult<String, Stats>> lastTop = List.of();

        private volatile String lastParseError = "";
        private volatile int exitCode;

        Session(Options o, PrintStream out, PrintStream err) {
            this.o = o;
            this.out = out;
            this.err = err;
            // The dashboard only on a terminal, and never when the JSON lines go to stdout.
            this.dashboard = stdoutIsTerminal() && !"-".equals(o.jsonl());
        }

        int run() throws Exception {
            UdpLineSource udp = Sources.udpLines(null, o.port(), 8 << 20, Sources.DEFAULT_MAX_LINE);
            TcpFrameSource tcp =
                    o.tcpPort() >= 0 ? Sources.tcpFrames(o.tcpPort(), FrameFormat.buffStreams(4096)) : null;
            StreamJob.Builder<KeyValue, String, Void, Stats> b = StreamJob.<KeyValue>builder("hiveparser")
                    .source(udp)
                    .parse(KeyValue::parse)
                    .keyBy(KeyValue::key)
                    .shards(o.shards())
                    .window(o.windowSpec(), Aggregators.stats(KeyValue::value))
                    .sink(r -> latest.put(r.key(), r))
                    .onParseError(e -> lastParseError = e.reason() + ": " + abbreviate(String.valueOf(e.raw())));
            if (tcp != null) {
                b.source(tcp);
            }
            if (o.eventTime()) {
                b.eventTime(HiveParser::timestamp, Duration.ofSeconds(1));
            }
            if (o.jsonl() != null) {
                if (o.jsonl().equals("-")) {
                    b.sink(Sinks.jsonLines(
                            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))));
                } else {
                    try {
                        b.sink(Sinks.jsonLines(Path.of(o.jsonl())));
                    } catch (IOException e) {
                        err.println("hiveparser: cannot write --jsonl " + o.jsonl() + ": " + e.getMessage());
                        return 1;
                    }
                }
            }
            PrintStream info = "-".equals(o.jsonl()) ? err : out;
            StreamJob<KeyValue> job = b.start();
            // lives as long as the process: the report reads lastTop, refreshed once a second below
            dev.warren.tasklets.observe.Reports.register("top_keys", this::topKeysReport);
            int udpPort;
            int tcpPort = -1;
            try {
                udpPort = udp.awaitPort(Duration.ofSeconds(10));
                if (tcp != null) {
                    tcpPort = tcp.awaitPort(Duration.ofSeconds(10));
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                job.close();
                err.println("hiveparser: " + e.getMessage());
                return 1;
            }
            Thread hook = new Thread(this::onSignal, "hiveparser-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            info.println("hiveparser: listening on UDP port " + udpPort
                    + (tcp != null ? " and TCP port " + tcpPort + " (BuffStreams frames)" : "")
                    + ", " + o.shards() + " shards, " + o.windowSpec() + (o.eventTime() ? ", event time" : "")
                    + (o.jsonl() != null ? ", windows to " + o.jsonl() : ""));
            info.flush();
            Tasklet<Void> generator = null;
            UdpLoadGenerator gen = null;
            if (o.rate() > 0) {
                gen = new UdpLoadGenerator(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort), o.rate(), o.keys(), 0);
                generator = gen.start(o.duration());
            }
            long startNanos = System.nanoTime();
            long deadline = o.duration() == null
                    ? Long.MAX_VALUE
                    : startNanos + o.duration().toNanos();
            long nextTick = startNanos + TimeUnit.SECONDS.toNanos(1);
            JobStats prev = job.stats();
            List<WindowResult<String, Stats>> top = List.of();
            TerminalScreen screen = null;
            while (true) {
                long now = System.nanoTime();
                long wait = Math.min(nextTick, deadline) - now;
                if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                    break;
                }
                now = System.nanoTime();
                if (now >= deadline) {
                    if (generator != null) {
                        generator.join(); // it stops at the same deadline; its last datagrams are still counted
                    }
                    break;
                }
                if (now >= nextTick) {
                    JobStats st = job.stats();
                    List<WindowResult<String, Stats>> t = topKeys(10);
                    if (!t.isEmpty()) {
                        top = t;
                        lastTop = t;
                    }
                    double secs = (now - startNanos) / 1e9;
                    if (dashboard) {
                        if (screen == null) {
                            screen = TerminalScreen.open(out);
                        }
                        screen.draw(dashboardText(st, prev, top, udp, secs));
                    } else {
                        info.println(summaryLine(st, prev, udp, secs));
                    }
                    info.flush();
                    prev = st;
                    nextTick += TimeUnit.SECONDS.toNanos(1);
                }
            }
            if (generator != null) {
                generator.cancel();
                try {
                    generator.join();
                } catch (RuntimeException cancelled) {
                    // stopped early by a signal: what it sent is counted by the receiver
                }
            }
            if (screen != null) {
                screen.close(); // back to the normal screen, where the totals stay
            }
            job.close(); // drain the shards, flush every open window (to --jsonl too), free every state
            JobStats st = job.stats();
            info.println(totals(st, udp) + (gen == null ? "" : " generated=" + gen.sent()));
            info.flush();
            out.flush();
            exitCode = 0;
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it ends the process with our exit code
            }
            return 0;
        }

        /** The shutdown hook: asks the main loop to stop, waits for the final flush, then exits 0. */
        private void onSignal() {
            stop.countDown();
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            err.flush();
            // A JVM ended by SIGTERM/SIGINT exits 143/130 after its hooks; a clean, flushed stop is success.
            Runtime.getRuntime().halt(exitCode);
        }

        /** The {@code top_keys} report: the keys with the highest rate in their latest window, with its values. */
        private Map<String, Object> topKeysReport() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("window", o.windowSpec().toString());
            List<Object> keys = new ArrayList<>();
            for (WindowResult<String, Stats> r : lastTop) {
                Map<String, Object> k = new java.util.LinkedHashMap<>();
                Stats v = r.value();
                k.put("key", r.key());
                k.put("rate", rate(r));
                k.put("count", v.count());
                k.put("sum", v.sum());
                k.put("min", v.min());
                k.put("max", v.max());
                keys.add(k);
            }
            m.put("keys", keys);
            return m;
        }

        private List<WindowResult<String, Stats>> topKeys(int n) {
            List<WindowResult<String, Stats>> all = new ArrayList<>(latest.values());
            latest.clear();
            all.sort(Comparator.comparingDouble(HiveParser::rate).reversed());
            return all.size() > n ? List.copyOf(all.subList(0, n)) : all;
        }

        private String summaryLine(JobStats st, JobStats prev, UdpLineSource udp, double secs) {
            return String.format(
                    Locale.ROOT,
                    "t=%.0fs events=%d rate=%d/s keys=%d windows=%d parse_errors=%d late=%d future=%d dropped=%d"
                            + " kernel_drops=%s queues=%s",
                    secs,
                    st.eventsIn(),
                    st.eventsIn() - prev.eventsIn(),
                    st.liveKeys(),
                    st.windowsEmitted(),
                    st.parseErrors(),
                    st.late(),
                    st.future(),
                    st.dropped(),
                    kernelDrops(udp),
                    queues(st));
        }

        private String dashboardText(
                JobStats st, JobStats prev, List<WindowResult<String, Stats>> top, UdpLineSource udp, double secs) {
            StringBuilder s = new StringBuilder(2048);
            s.append(String.format(
                    Locale.ROOT,
                    "\033[1mhiveparser\033[0m  %s%s   up %.0fs%n%n",
                    o.windowSpec(),
                    o.eventTime() ? ", event time" : "",
                    secs));
            s.append(String.format(
                    Locale.ROOT,
                    "  events/s %,12d    events %,14d    live keys %,10d    windows %,12d%n",
                    st.eventsIn() - prev.eventsIn(),
                    st.eventsIn(),
                    st.liveKeys(),
                    st.windowsEmitted()));
            s.append(String.format(
                    Locale.ROOT,
                    "  parse errors %,8d    late %,8d    future %,8d    dropped %,12d    kernel drops %s%n",
                    st.parseErrors(),
                    st.late(),
                    st.future(),
                    st.dropped(),
                    kernelDrops(udp)));
            if (!lastParseError.isEmpty()) {
                s.append("  last parse error: ").append(lastParseError).append('\n');
            }
            s.append("  shard queues ").append(queues(st)).append("\n\n");
            s.append(String.format(
                    Locale.ROOT,
                    "  \033[1m%-24s %10s %10s %14s %12s %12s\033[0m%n",
                    "top keys",
                    "rate/s",
                    "count",
                    "sum",
                    "min",
                    "max"));
            for (WindowResult<String, Stats> r : top) {
                Stats v = r.value();
                s.append(String.format(
                        Locale.ROOT,
                        "  %-24s %10.1f %10d %14.2f %12.2f %12.2f%n",
                        abbreviate(r.key()),
                        rate(r),
                        v.count(),
                        v.sum(),
                        v.min(),
                        v.max()));
            }
            s.append("\n  Ctrl-C: flush the final windows and print the totals\n");
            return s.toString();
        }

        private static String totals(JobStats st, UdpLineSource udp) {
            return String.format(
                    Locale.ROOT,
                    "hiveparser totals: received=%d parse_errors=%d late=%d future=%d dropped=%d kernel_drops=%s"
                            + " windows=%d datagrams=%d",
                    st.eventsIn(),
                    st.parseErrors(),
                    st.late(),
                    st.future(),
                    st.dropped(),
                    kernelDrops(udp),
                    st.windowsEmitted(),
                    udp.receiverStats() == null ? 0 : udp.receiverStats().datagrams());
        }
    }

    private static String kernelDrops(Source<?> udp) {
        long d = udp.upstreamDrops();
        return d < 0 ? "n/a" : Long.toString(d);
    }

    private static String queues(JobStats st) {
        StringBuilder q = new StringBuilder("[");
        for (ShardStats s : st.shards()) {
            if (q.length() > 1) {
                q.append(',');
            }
            q.append(s.queueDepth());
        }
        return q.append(']').toString();
    }

    static double rate(WindowResult<String, Stats> r) {
        long ms = Math.max(1, r.end() - r.start());
        return r.value().count() * 1000.0 / ms;
    }

    private static long timestamp(KeyValue kv) {
        if (kv.timestamp() == KeyValue.NO_TIMESTAMP) {
            throw new IllegalArgumentException("--event-time needs a TIMESTAMP_MS on every line");
        }
        return kv.timestamp();
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 21) + "...";
    }

    /**
     * True when stdout is a terminal: {@code System.console()} is non-null, and, on JDK 22+ (where it may
     * be non-null for redirected streams), {@code Console.isTerminal()} says so.
     */
    // The null check is the JDK 21 answer; on 22+ Console.isTerminal() (called reflectively, as we compile
    // for 21) gives the real one, which is exactly what this check asks for.
    @SuppressWarnings("SystemConsoleNull")
    static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
