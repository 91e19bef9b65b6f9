package dev.warren.net.admin;

import dev.warren.net.Connection;
import dev.warren.net.ConnectionLimitPolicy;
import dev.warren.net.LineTooLongException;
import dev.warren.net.NetObservability;
import dev.warren.net.TcpServer;
import dev.warren.tasklets.RegistrySnapshot;
import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.Watchdog;
import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.Reports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line console (libmtev's telnet console, small): a text protocol on a loopback port, one command
 * per line, usable with {@code nc 127.0.0.1 PORT}.
 *
 * <pre>
 * $ nc 127.0.0.1 9191
 * warren&gt; show jobq
 * ...
 * warren&gt; log enable net.close
 * net.close enabled
 * warren&gt; quit
 * bye
 * </pre>
 *
 * <p><b>Commands:</b> {@code help}; {@code show tasklets [NAME]} (the tree, or the tasklets whose name
 * contains NAME); {@code show sockets}; {@code show jobq}; {@code show streams}; {@code show logs};
 * {@code show log NAME [N]} (the last N lines of a memory stream, 23 by default, as libmtev's); {@code
 * show watchdog}; {@code log enable|disable NAME}; {@code metrics} (the Prometheus text); {@code quit}.
 * Each answer is followed by the prompt {@value #PROMPT}. An unknown command or a bad argument gets one
 * line, {@code error: ...}, naming it; the console goes on.
 *
 * <p><b>Limits.</b> It binds {@code 127.0.0.1} only: whoever reaches it can switch log streams, so it is
 * for the machine's operators. A line longer than {@value #MAX_LINE} bytes gets {@code error: line
 * longer than ...} and that console is closed (the rest of such a line cannot be told from the next
 * command). At most {@link Builder#maxConsoles(int)} consoles at once (default 16); more are closed at
 * once. A console that neither reads nor writes a byte for {@link Builder#idleTimeout(Duration)} (default 30
 * minutes) is closed: a client that sends commands and never reads the answers blocks only its own
 * console's tasklet, and only until then (or until it goes away or the console closes).
 *
 * <p><b>Threading and closing.</b> A {@link TcpServer} underneath: one tasklet per console, all in the
 * caller's tasklet's scope, if any. Every method may be called from any thread; {@link #close()} closes
 * every console and waits for their tasklets.
 */
public final class Console implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    /** The prompt written after the greeting and after each answer. */
    public static final String PROMPT = "warren> ";

    /** The longest command line accepted, in bytes. */
    public static final int MAX_LINE = 4096;

    private static final byte[] PROMPT_BYTES = PROMPT.getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_TASKLET_LINES = 2_000;

    private final TcpServer tcp;

    private Console(TcpServer tcp) {
        this.tcp = tcp;
    }

    /** Starts a console on {@code 127.0.0.1:port} (0 picks a free port) with the defaults. */
    public static Console start(int port) {
        return builder().port(port).start();
    }

    /** A builder: port 0, at most 16 consoles, 30 minutes idle timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on. */
    public int port() {
        return tcp.port();
    }

    /** The address it listens on (always a loopback address). */
    public InetSocketAddress localAddress() {
        return tcp.localAddress();
    }

    /** Closes every console and stops listening; harmless twice. */
    @Override
    public void close() {
        tcp.close();
    }

    @Override
    public String toString() {
        return "Console[" + tcp.localAddress() + "]";
    }

    private static void serve(Connection c) throws IOException {
        c.writeLine("Warren console; 'help' lists the commands.");
        c.write(PROMPT_BYTES);
        c.flush();
        for (; ; ) {
            String line;
            try {
                line = c.readLine(MAX_LINE);
            } catch (LineTooLongException e) {
                c.writeLine("error: line longer than " + MAX_LINE + " bytes; closing this console");
                c.flush();
                return;
            }
            if (line == null) {
                return; // the client went away
            }
            String cmd = line.strip();
            if (cmd.equals("quit") || cmd.equals("exit")) {
                c.writeLine("bye");
                c.flush();
                return;
            }
            String answer;
            try {
                answer = execute(cmd);
            } catch (IllegalArgumentException e) {
                answer = "error: " + e.getMessage();
            } catch (RuntimeException e) {
                LOG.error("bug: console command '{}' failed", cmd, e);
                answer = "error: '" + cmd + "' failed: " + e;
            }
            if (!answer.isEmpty()) {
                c.write((answer.endsWith("\n") ? answer : answer + "\n").getBytes(StandardCharsets.UTF_8));
            }
            c.write(PROMPT_BYTES);
            c.flush();
        }
    }

    /**
     * Runs one command line and returns its answer (without the prompt); {@code quit} is the caller's.
     * Package-private for the tests.
     *
     * @throws IllegalArgumentException for an unknown command or a bad argument, naming it
     */
    static String execute(String cmd) {
        if (cmd.isEmpty()) {
            return "";
        }
        String[] w = cmd.split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        return switch (verb) {
            case "help", "?" -> help();
            case "metrics" -> {
                args(w, 1, 1, "metrics");
                yield MetricRegistry.global().prometheusText();
            }
            case "show" -> show(w);
            case "log" -> log(w);
            default -> throw new IllegalArgumentException("unknown command '" + clip(w[0]) + "'; try help");
        };
    }

    private static String help() {
        return """
                help                         this list
                show tasklets [NAME]         the tasklet tree, or the tasklets whose name contains NAME
                show sockets                 every listener and its connections
                show jobq                    every job queue
                show streams                 every stream job
                show logs                    every log stream: on or off, lines
                show log NAME [N]            the last N (23) lines of a log stream kept in memory
                show watchdog                heartbeats, stalls and the watchdog's last events
                log enable|disable NAME      switch a log stream
                metrics                      every metric, Prometheus text
                quit                         close this console""";
    }

    private static String show(String[] w) {
        if (w.length < 2) {
            throw new IllegalArgumentException("show what? tasklets, sockets, jobq, streams, logs, log NAME, watchdog");
        }
        String what = w[1].toLowerCase(Locale.ROOT);
        return switch (what) {
            // names may hold spaces ("conn 127.0.0.1:5000"): the rest of the line is the name
            case "tasklets" ->
                w.length >= 3
                        ? tasklets(String.join(" ", java.util.Arrays.asList(w).subList(2, w.length)))
                        : cap(Tasklets.snapshot().toText());
            case "sockets" -> {
                args(w, 2, 2, "show sockets");
                yield Text.of(NetObservability.sockets(NetObservability.DEFAULT_CONNECTION_LIMIT));
            }
            case "jobq" -> {
                args(w, 2, 2, "show jobq");
                yield Text.of(Reports.snapshot("jobq").orElse(Map.of("queues", List.of())));
            }
            case "streams" -> {
                args(w, 2, 2, "show streams");
                yield Text.of(Reports.snapshot("streams").orElse(Map.of("jobs", List.of())));
            }
            case "watchdog" -> {
                args(w, 2, 2, "show watchdog");
                yield Text.of(Watchdog.report());
            }
            case "logs" -> {
                args(w, 2, 2, "show logs");
                StringBuilder b = new StringBuilder();
                for (LogStream s : LogStreams.all()) {
                    b.append(String.format(
                            Locale.ROOT,
                            "%-24s %-3s %10d lines%s%n",
                            s.name(),
                            s.enabled() ? "on" : "off",
                            s.lines(),
                            s.keepsMemory() ? ", last " + s.memoryLines() + " in memory" : ""));
                }
                yield b.toString();
            }
            case "log" -> {
                args(w, 3, 4, "show log NAME [N]");
                LogStream s = stream(w[2]);
                int n = 23;
                if (w.length == 4) {
                    try {
                        n = Integer.parseInt(w[3]);
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 0 || n > 100_000) {
                        throw new IllegalArgumentException(
                                "the number of lines must be 0..100000, was '" + clip(w[3]) + "'");
                    }
                }
                if (!s.keepsMemory()) {
                    throw new IllegalArgumentException("log stream '" + s.name() + "' keeps no lines in memory");
                }
                StringBuilder b = new StringBuilder();
                for (LogStream.Line l : s.read(n, -1)) {
                    b.append('[')
                            .append(l.index())
                            .append("] ")
                            .append(l.text())
                            .append('\n');
                }
                yield b.toString();
            }
            default ->
                throw new IllegalArgumentException("unknown: show " + clip(w[1])
                        + "; try show tasklets, sockets, jobq, streams, logs, log NAME, watchdog");
        };
    }

    private static String log(String[] w) {
        args(w, 3, 3, "log enable|disable NAME");
        boolean on = switch (w[1].toLowerCase(Locale.ROOT)) {
            case "enable" -> true;
            case "disable" -> false;
            default ->
                throw new IllegalArgumentException("log " + clip(w[1]) + ": use log enable NAME or log disable NAME");
        };
        LogStream s = stream(w[2]);
        s.enabled(on);
        return s.name() + (on ? " enabled" : " disabled");
    }

    private static LogStream stream(String name) {
        return LogStreams.find(name).orElseThrow(() -> new IllegalArgumentException(LogStreams.unknown(clip(name))));
    }

    private static String tasklets(String name) {
        RegistrySnapshot snap = Tasklets.snapshot();
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (TaskletInfo t : snap.tasklets()) {
            if (!t.name().contains(name)) {
                continue;
            }
            if (++n > MAX_TASKLET_LINES) {
                b.append("... and more; narrow the name\n");
                break;
            }
            b.append('#')
                    .append(t.id())
                    .append(' ')
                    .append(t.name())
                    .append(' ')
                    .append(t.state())
                    .append(' ')
                    .append(t.age().toMillis())
                    .append(" ms");
            if (t.waitingOn() != null) {
                b.append(" waiting on ").append(t.waitingOn());
            }
            if (t.restarts() > 0) {
                b.append(" restarts=").append(t.restarts());
            }
            b.append('\n');
        }
        return n == 0 ? "no tasklet's name contains '" + clip(name) + "'" : b.toString();
    }

    private static String cap(String text) {
        int at = 0;
        for (int i = 0; i < MAX_TASKLET_LINES; i++) {
            at = text.indexOf('\n', at) + 1;
            if (at == 0) {
                return text;
            }
        }
        return at >= text.length()
                ? text
                : text.substring(0, at) + "... (cut at " + MAX_TASKLET_LINES + " lines; show tasklets NAME narrows)\n";
    }

    private static void args(String[] w, int min, int max, String usage) {
        if (w.length < min || w.length > max) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    /** A word as an error message shows it: at most 60 characters. */
    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /** Configures a {@link Console}; each option is checked as it is set. Not thread-safe. */
    public static final class Builder {
        private int port;
        private int maxConsoles = 16;
        private Duration idleTimeout = Duration.ofMinutes(30);
        private String name = "console";

        private Builder() {}

        /** The port, 0..65535 (0, the default, picks a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** How many consoles may be open at once, {@code > 0}; more are closed at once. Default 16. */
        public Builder maxConsoles(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxConsoles must be > 0, was " + max);
            }
            this.maxConsoles = max;
            return this;
        }

        /** How long a console may wait for its next command before it is closed, {@code > 0}. Default 30 minutes. */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be > 0, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** The name of its server (and of its tasklets' scope). Default "console". */
        public Builder name(String name) {
            this.name = java.util.Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Binds {@code 127.0.0.1} and starts listening.
         *
         * @throws java.io.UncheckedIOException if the port cannot be bound
         */
        public Console start() {
            TcpServer tcp = TcpServer.builder()
                    .name(name)
                    .bindAddress("127.0.0.1")
                    .port(port)
                    .maxConnections(maxConsoles)
                    .limitPolicy(ConnectionLimitPolicy.CLOSE)
                    .idleTimeout(idleTimeout)
                    .handler(Console::serve)
                    .start();
            LOG.info("console on {} (nc {} {})", tcp.localAddress(), "127.0.0.1", tcp.port());
            return new Console(tcp);
        }
    }
}
