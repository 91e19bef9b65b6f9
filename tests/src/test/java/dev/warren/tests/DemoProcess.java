package dev.warren.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A demo launched as its own process the way {@code ./NAME} launches it: the test JVM's java, the demos
 * jar and its lib directory. Its standard output is collected line by line.
 */
final class DemoProcess implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    final Process process;
    final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
    final StringBuilder all = new StringBuilder();
    final AtomicReference<String> stderr = new AtomicReference<>("");
    private final Thread stderrReader;
    private final Thread stdoutReader;

    private DemoProcess(Process p) {
        this.process = p;
        stdoutReader = Thread.ofPlatform().daemon().name("demo stdout").start(() -> pump());
        stderrReader = Thread.ofPlatform().daemon().name("demo stderr").start(() -> {
            StringBuilder err = new StringBuilder();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    err.append(l).append('\n');
                    stderr.set(err.toString());
                }
            } catch (IOException e) {
                stderr.set(err + "unreadable: " + e);
            }
        });
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                synchronizedAppend(l);
                lines.offer(l);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void synchronizedAppend(String l) {
        synchronized (all) {
            all.append(l).append('\n');
        }
    }

    String output() {
        synchronized (all) {
            return all.toString();
        }
    }

    /**
     * Like {@link #start}, with the process's limit on open file descriptors set to {@code nofile}
     * (through the shell's {@code ulimit -n}, as an operator would).
     */
    static DemoProcess startWithDescriptorLimit(int nofile, String demo, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -n " + nofile + " && exec \"$@\"", "sh"));
        cmd.addAll(command(demo, args));
        return new DemoProcess(new ProcessBuilder(cmd).start());
    }

    static DemoProcess start(String demo, String... args) throws IOException {
        return new DemoProcess(new ProcessBuilder(command(demo, args)).start());
    }

    /** Like {@link #start}, with {@code jvmOption} (e.g. {@code -Dwarren.metrics=false}) on the java command. */
    static DemoProcess startWithJvmOption(String jvmOption, String demo, String... args) throws IOException {
        List<String> cmd = command(demo, args);
        cmd.add(1, jvmOption);
        return new DemoProcess(new ProcessBuilder(cmd).start());
    }

    private static List<String> command(String demo, String... args) {
        Path jar = ROOT.resolve("demos/target/warren-demos.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the demos first (mvn package, or make)");
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Djdk.pollerMode=1",
                "-cp",
                jar + ":" + ROOT.resolve("demos/target/lib") + "/*",
                "dev.warren.demos.Main",
                demo));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Waits for an output line matching {@code regex} and returns its first group. */
    String await(String regex, long seconds) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (; ; ) {
            long left = deadline - System.nanoTime();
            String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (l == null) {
                throw new AssertionError("no line matching " + regex + " within " + seconds + " s; output:\n" + output()
                        + "\nstderr:\n" + stderr.get());
            }
            Matcher m = p.matcher(l);
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : l;
            }
        }
    }

    /** Waits for a standard-error line matching {@code regex} and returns its first group. */
    String awaitStderr(String regex, long seconds) {
        Pattern p = Pattern.compile(regex);
        return org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(seconds))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(
                        () -> {
                            Matcher m = p.matcher(stderr.get());
                            return m.find() ? (m.groupCount() > 0 ? m.group(1) : m.group()) : null;
                        },
                        v -> v != null);
    }

    /**
     * Everything the process wrote to its standard error, once it has ended (waits up to 30 s for that);
     * {@link #output()} is complete too after this returns.
     */
    String stderrAfterExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the demo did not end within 30 s");
        }
        stderrReader.join(30_000);
        stdoutReader.join(30_000); // so that output() is complete too
        return stderr.get();
    }

    /** Sends a signal by name (TERM, INT) with the system's kill. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
