package dev.warren.demos;

import dev.warren.tasklets.RestartPolicy;
import dev.warren.tasklets.SupervisorHeartbeat;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code ./supervise [OPTIONS] -- COMMAND ARGS...}: libmtev's monitor process for any program, with hang
 * protection for Warren programs. It runs the command as a child process and keeps it running:
 *
 * <ul>
 *   <li>a child that <b>crashes</b> (any status but 0 and the no-restart status) is restarted after an
 *       exponentially growing pause ({@code --backoff}, doubling, at most 10 s);
 *   <li>a child that <b>exits 0</b> is restarted at once (as libmtev does: a server that ends was not meant
 *       to); one that exits with the <b>no-restart status</b> ({@code --no-restart-status}, 2 by default)
 *       is not, and the supervisor ends with that status;
 *   <li>restarts are <b>rate-limited</b>: at most {@code --retries} within {@code --span}; past that the
 *       supervisor gives up and exits 1;
 *   <li>a child that <b>hangs</b> is traced, killed and restarted: a Warren program heartbeats to the
 *       supervisor ({@link SupervisorHeartbeat}, enabled by the environment variables the supervisor sets)
 *       from a virtual thread, so heartbeats stop when its scheduler stalls. When none has come for
 *       {@code --heartbeat-timeout}, the supervisor writes the JDK's own thread dump of the child, virtual
 *       threads included ({@code jcmd PID Thread.dump_to_file}), to {@code TRACE_DIR/NAME.PID.trc}, kills
 *       the child and restarts it. Hang protection is armed by the child's first heartbeat, so a slow start
 *       is not a hang and a program that never heartbeats (not a Warren program) is supervised for exits
 *       only;
 *   <li>SIGTERM or SIGINT to the supervisor stops the child gracefully (SIGTERM, then SIGKILL after
 *       {@code --stop-timeout}) and ends the supervisor with status 0.
 * </ul>
 *
 * <p>The child inherits standard input, output and error; the supervisor's own lines go to standard error,
 * prefixed {@code supervise:}.
 */
final class Supervise {
    static final String USAGE = """
            usage: ./supervise [OPTIONS] -- COMMAND [ARGS...]
              keeps COMMAND running: restarts it when it crashes (with backoff) or exits 0, within a rate limit;
              traces, kills and restarts a Warren program whose heartbeats stop
              --retries N               restarts allowed within --span before giving up (default 5)
              --span DURATION           the window of that rate limit (default 60s)
              --backoff DURATION        pause before the first restart after a crash; doubles, at most 10s
                                        (default 100ms)
              --heartbeat-timeout DUR   a Warren child silent this long is hung (default 10s)
              --trace-dir DIR           write a hung child's thread dump to DIR/NAME.PID.trc (default: no trace)
              --name NAME               the child's name in messages and trace files (default: COMMAND's file name)
              --no-restart-status N     a child exiting with N is not restarted (default 2)
              --stop-timeout DURATION   on SIGTERM/SIGINT, how long the child may take to stop (default 10s)
              --config FILE             these options from the file's section supervise { retries = 3, ... }
              -h, --help                this text;  --version  the version
            durations: 500ms, 5s, 2m, 1h""";

    /** The longest pause between two restarts after crashes. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    record Options(
            int retries,
            Duration span,
            Duration backoff,
            Duration heartbeatTimeout,
            Path traceDir,
            String name,
            int noRestartStatus,
            Duration stopTimeout,
            List<String> command) {}

    private Supervise() {}

    static int run(String[] args) {
        Options o;
        try {
            o = parse(withConfig(args));
        } catch (Args.Exit e) {
            System.out.println(e.text);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("supervise: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        return new Supervisor(o, System.err).run();
    }

    /** The options a {@code supervise { ... }} section of {@code --config FILE} may set. */
    static final List<String> CONFIG_KEYS = List.of(
            "retries",
            "span",
            "backoff",
            "heartbeat-timeout",
            "trace-dir",
            "name",
            "no-restart-status",
            "stop-timeout");

    /**
     * {@code --config FILE} before the command: the file's {@code supervise} section gives options as
     * {@code retries = 3}, {@code span = 30s}, ...; options on the command line win. Every key is checked
     * on its own, so all the section's problems are reported at once with their file and line.
     */
    static String[] withConfig(String[] args) {
        int at = -1;
        for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals("--config")) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return args;
        }
        String file = Args.value(args, at);
        dev.warren.config.WarrenConfig config;
        try {
            config = dev.warren.config.WarrenConfig.load(Path.of(file));
        } catch (dev.warren.config.ConfigProblemsException e) {
            throw new IllegalArgumentException("--config " + file + ": " + e.getMessage(), e);
        }
        List<String> fromFile = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        com.typesafe.config.Config root = config.config();
        if (root.hasPath("supervise")) {
            for (var e : root.getObject("supervise").entrySet()) {
                String where = e.getValue().origin().filename() + ":"
                        + e.getValue().origin().lineNumber() + ": supervise." + e.getKey() + ": ";
                if (!CONFIG_KEYS.contains(e.getKey())) {
                    problems.add(where + "unknown key; supervise takes " + String.join(", ", CONFIG_KEYS));
                    continue;
                }
                String value = String.valueOf(e.getValue().unwrapped());
                try {
                    parse(new String[] {"--" + e.getKey(), value, "--", "check"});
                } catch (IllegalArgumentException bad) {
                    problems.add(where + bad.getMessage());
                    continue;
                }
                fromFile.add("--" + e.getKey());
                fromFile.add(value);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--config " + file + ": " + problems.size()
                    + (problems.size() == 1 ? " problem:\n  " : " problems:\n  ") + String.join("\n  ", problems));
        }
        List<String> all = new ArrayList<>(fromFile);
        for (int i = 0; i < args.length; i++) {
            if (i == at) {
                i++; // --config FILE itself
                continue;
            }
            all.add(args[i]);
        }
        return all.toArray(new String[0]);
    }

    static Options parse(String[] args) {
        int retries = 5;
        Duration span = Duration.ofSeconds(60);
        Duration backoff = Duration.ofMillis(100);
        Duration heartbeat = Duration.ofSeconds(10);
        Path traceDir = null;
        String name = null;
        int noRestart = 2;
        Duration stop = Duration.ofSeconds(10);
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                command.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (!a.startsWith("-")) {
                command.addAll(List.of(args).subList(i, args.length));
                break;
            }
            Args.standard("supervise", a, USAGE);
            switch (a) {
                case "--retries" -> retries = (int) Args.number(a, Args.value(args, i++), 0, 1000);
                case "--span" -> span = Args.duration(a, Args.value(args, i++));
                case "--backoff" -> backoff = Args.duration(a, Args.value(args, i++));
                case "--heartbeat-timeout" -> heartbeat = Args.duration(a, Args.value(args, i++));
                case "--trace-dir" -> traceDir = Path.of(Args.value(args, i++));
                case "--name" -> name = Args.value(args, i++);
                case "--no-restart-status" -> noRestart = (int) Args.number(a, Args.value(args, i++), 1, 255);
                case "--stop-timeout" -> stop = Args.duration(a, Args.value(args, i++));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("COMMAND is missing (after --)");
        }
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            throw new IllegalArgumentException(
                    "--backoff must be at most " + Args.format(MAX_BACKOFF) + ", was " + Args.format(backoff));
        }
        if (heartbeat.toMillis() < 50) {
            throw new IllegalArgumentException(
                    "--heartbeat-timeout must be at least 50ms, was " + Args.format(heartbeat));
        }
        if (name == null) {
            name = Path.of(command.get(0)).getFileName().toString();
        }
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "--name must be letters, digits, '.', '_' or '-' (it names trace files), was '" + name + "'");
        }
        if (traceDir != null && Files.exists(traceDir) && !Files.isDirectory(traceDir)) {
            throw new IllegalArgumentException("--trace-dir " + traceDir + " is not a directory");
        }
        return new Options(retries, span, backoff, heartbeat, traceDir, name, noRestart, stop, List.copyOf(command));
    }

    /** One supervision: the restart loop on the calling thread, heartbeats received by a tasklet. */
    static final class Supervisor {
        private final Options o;
        private final PrintStream log;
        private final RestartPolicy policy;
        private final ReentrantLock lock = new ReentrantLock();
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        /** Guarded by {@link #lock}. */
        private Process child;
        /** Guarded by {@link #lock}. */
        private boolean stopping;
        /** The last heartbeat's arrival (0: none yet from the current child) and the pid that sent it. */
        private volatile long lastBeatNanos;

        private volatile long beatPid;

        Supervisor(Options o, PrintStream log) {
            this.o = o;
            this.log = log;
            this.policy = RestartPolicy.backoff(o.backoff(), MAX_BACKOFF).withMaxRestarts(o.retries(), o.span());
        }

        int run() {
            DatagramChannel beats;
            try {
                beats = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (IOException e) {
                log.println("supervise: cannot open the heartbeat socket: " + e.getMessage());
                return 1;
            }
            Tasklet<Void> receiver = Tasklets.start("supervise-heartbeats", () -> receive(beats));
            Thread hook = GracefulStop.install("supervise", this::stop);
            try {
                return superviseLoop((InetSocketAddress) beats.getLocalAddress());
            } catch (IOException e) {
                log.println("supervise: " + e.getMessage());
                return 1;
            } finally {
                GracefulStop.remove(hook);
                closeQuietly(beats);
                receiver.cancel();
            }
        }

        private int superviseLoop(InetSocketAddress beatAddress) {
            Deque<Long> restarts = new ArrayDeque<>();
            for (; ; ) {
                Process p = startChild(beatAddress);
                if (p == null) {
                    return stopRequested.getCount() == 0 ? awaitStopped() : 127;
                }
                long started = System.nanoTime();
                Outcome out = watch(p);
                if (out == Outcome.STOPPED) {
                    return awaitStopped();
                }
                long ranMillis = (System.nanoTime() - started) / 1_000_000;
                String ran = ranMillis < 1000
                        ? ranMillis + "ms"
                        : String.format(java.util.Locale.ROOT, "%.1fs", ranMillis / 1000.0);
                String what;
                boolean crashed;
                if (out == Outcome.HUNG) {
                    what = "sent no heartbeat for " + Args.format(o.heartbeatTimeout()) + " after " + ran
                            + " and was killed";
                    crashed = true;
                } else {
                    int status = p.exitValue();
                    if (stopRequested.getCount() == 0) {
                        return awaitStopped();
                    }
                    if (status == o.noRestartStatus()) {
                        log.println("supervise: " + o.name() + " (pid " + p.pid() + ") exited with status " + status
                                + " after " + ran + ": not restarting");
                        return status;
                    }
                    what = "exited with status " + status + describeSignal(status) + " after " + ran;
                    crashed = status != 0;
                }
                long now = System.nanoTime();
                while (!restarts.isEmpty()
                        && now - restarts.peekFirst() >= o.span().toNanos()) {
                    restarts.removeFirst();
                }
                if (restarts.size() >= o.retries()) {
                    log.println("supervise: " + o.name() + " (pid " + p.pid() + ") " + what + "; it was restarted "
                            + restarts.size() + " times within " + Args.format(o.span()) + ": giving up");
                    return 1;
                }
                Duration pause = crashed ? policy.backoffFor(restarts.size()) : Duration.ZERO;
                restarts.addLast(now);
                log.println("supervise: " + o.name() + " (pid " + p.pid() + ") " + what + "; restart "
                        + restarts.size() + " of " + o.retries() + " within " + Args.format(o.span())
                        + (pause.isZero() ? " now" : " in " + Args.format(pause)));
                try {
                    if (stopRequested.await(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                        return awaitStopped();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }

        private enum Outcome {
            EXITED,
            HUNG,
            STOPPED
        }

        private Process startChild(InetSocketAddress beatAddress) {
            ProcessBuilder pb = new ProcessBuilder(o.command()).inheritIO();
            long intervalMillis =
                    Math.max(10, Math.min(1000, o.heartbeatTimeout().toMillis() / 5));
            pb.environment()
                    .put(
                            SupervisorHeartbeat.ENV_ADDRESS,
                            beatAddress.getAddress().getHostAddress() + ":" + beatAddress.getPort());
            pb.environment().put(SupervisorHeartbeat.ENV_INTERVAL, Long.toString(intervalMillis));
            lock.lock();
            try {
                if (stopping) {
                    return null;
                }
                lastBeatNanos = 0;
                beatPid = 0;
                try {
                    child = pb.start();
                } catch (IOException e) {
                    log.println("supervise: cannot start " + String.join(" ", o.command()) + ": " + e.getMessage());
                    return null;
                }
            } finally {
                lock.unlock();
            }
            log.println(
                    "supervise: started " + o.name() + " (pid " + child.pid() + "): " + String.join(" ", o.command()));
            return child;
        }

        /** Waits until the child exits, hangs, or the supervisor is told to stop. */
        private Outcome watch(Process p) {
            long timeout = o.heartbeatTimeout().toNanos();
            long check = Math.max(
                    TimeUnit.MILLISECONDS.toNanos(10), Math.min(timeout / 10, TimeUnit.MILLISECONDS.toNanos(250)));
            for (; ; ) {
                try {
                    if (p.waitFor(check, TimeUnit.NANOSECONDS)) {
                        return Outcome.EXITED;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.STOPPED;
                }
                if (stopRequested.getCount() == 0) {
                    return Outcome.STOPPED;
                }
                long last = lastBeatNanos;
                if (last != 0 && System.nanoTime() - last > timeout) {
                    hung(p, beatPid);
                    return Outcome.HUNG;
                }
            }
        }

        private void hung(Process p, long jvmPid) {
            long late = (System.nanoTime() - lastBeatNanos) / 1_000_000;
            String where = "no trace (no --trace-dir)";
            if (o.traceDir() != null) {
                Path file = o.traceDir().resolve(o.name() + "." + jvmPid + ".trc");
                where = trace(jvmPid, file);
            }
            log.println("supervise: " + o.name() + " (pid " + p.pid() + ") sent no heartbeat for " + late + " ms: "
                    + where + "; killing it");
            kill(p, true);
        }

        /** Writes the JDK's thread dump of {@code pid} to {@code file}; says what happened. */
        private String trace(long pid, Path file) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            try {
                Files.createDirectories(file.getParent() == null ? Path.of(".") : file.getParent());
                Files.deleteIfExists(file);
                Process dump = new ProcessBuilder(
                                jcmd.toString(),
                                Long.toString(pid),
                                "Thread.dump_to_file",
                                "-format=text",
                                file.toString())
                        .redirectErrorStream(true)
                        .start();
                byte[] said = dump.getInputStream().readAllBytes();
                if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                    dump.destroyForcibly();
                }
                if (dump.exitValue() == 0 && Files.size(file) > 0) {
                    return "its threads are in " + file;
                }
                String msg = new String(said, StandardCharsets.UTF_8).strip();
                Files.writeString(file, "supervise: jcmd could not dump the threads of pid " + pid + ": " + msg + "\n");
                return "jcmd could not dump its threads (" + msg + "), see " + file;
            } catch (IOException | IllegalThreadStateException e) {
                return "no trace: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "no trace: interrupted";
            }
        }

        private void receive(DatagramChannel ch) {
            ByteBuffer buf = ByteBuffer.allocate(256);
            try {
                for (; ; ) {
                    buf.clear();
                    ch.receive(buf);
                    buf.flip();
                    String[] words =
                            StandardCharsets.US_ASCII.decode(buf).toString().split(" ", -1);
                    if (words.length < 2 || !words[0].equals(SupervisorHeartbeat.MAGIC)) {
                        continue;
                    }
                    long pid;
                    try {
                        pid = Long.parseLong(words[1]);
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    Process p = current();
                    if (p != null && isChildOrDescendant(p, pid)) {
                        beatPid = pid;
                        boolean first = lastBeatNanos == 0;
                        lastBeatNanos = System.nanoTime();
                        if (first) {
                            log.println("supervise: " + o.name() + " (pid " + p.pid() + ") heartbeats"
                                    + (pid == p.pid() ? "" : " from pid " + pid) + ": hang protection is on ("
                                    + Args.format(o.heartbeatTimeout()) + ")");
                        }
                    }
                }
            } catch (ClosedChannelException e) {
                // the supervisor is ending
            } catch (IOException e) {
                log.println("supervise: the heartbeat socket failed: " + e.getMessage());
            }
        }

        private static boolean isChildOrDescendant(Process p, long pid) {
            return p.pid() == pid || p.descendants().anyMatch(h -> h.pid() == pid);
        }

        private Process current() {
            lock.lock();
            try {
                return child;
            } finally {
                lock.unlock();
            }
        }

        /** SIGTERM/SIGINT: stop the child gracefully, then let the process end (status 0). */
        private void stop() {
            Process p;
            lock.lock();
            try {
                stopping = true;
                p = child;
            } finally {
                lock.unlock();
            }
            stopRequested.countDown();
            if (p != null && p.isAlive()) {
                log.println("supervise: stopping " + o.name() + " (pid " + p.pid() + ")");
                kill(p, false);
            }
            log.println("supervise: stopped");
            stopped.countDown();
        }

        private int awaitStopped() {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        /** Ends the child and what it started: SIGKILL at once, or SIGTERM and SIGKILL after the timeout. */
        private void kill(Process p, boolean forcibly) {
            List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
            all.add(p.toHandle());
            for (ProcessHandle h : all) {
                if (forcibly) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            }
            long deadline = System.nanoTime()
                    + (forcibly ? TimeUnit.SECONDS.toNanos(30) : o.stopTimeout().toNanos());
            for (ProcessHandle h : all) {
                long left = deadline - System.nanoTime();
                try {
                    h.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    log.println("supervise: pid " + h.pid() + " did not stop within " + Args.format(o.stopTimeout())
                            + ": killing it");
                    h.destroyForcibly();
                } catch (java.util.concurrent.ExecutionException e) {
                    // onExit does not fail
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private static void closeQuietly(DatagramChannel ch) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }

        private static String describeSignal(int status) {
            if (status <= 128 || status > 128 + 64) {
                return "";
            }
            int sig = status - 128;
            String name = switch (sig) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 3 -> "SIGQUIT";
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + sig;
            };
            return " (killed by " + name + ")";
        }
    }
}
