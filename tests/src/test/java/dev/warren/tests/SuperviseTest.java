package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./supervise} as a process, supervising real processes: crashes, exits, hangs, signals. */
class SuperviseTest {
    @TempDir
    Path tmp;

    @Test
    void aCrashingChildIsRestartedWithBackoffAndGivenUpOnPastTheRateLimit() throws Exception {
        try (DemoProcess s = DemoProcess.start(
                "supervise", "--retries", "2", "--span", "1m", "--backoff", "10ms", "--", "sh", "-c", "exit 3")) {
            String err = s.stderrAfterExit();
            assertEquals(1, s.process.exitValue(), err);
            assertEquals(3, count(err, "supervise: started sh \\(pid \\d+\\)"), err);
            assertTrue(err.contains("exited with status 3 after"), err);
            assertTrue(err.contains("restart 1 of 2 within 1m in 10ms"), err);
            assertTrue(err.contains("restart 2 of 2 within 1m in 20ms"), "the pause doubles: " + err);
            assertTrue(err.contains("it was restarted 2 times within 1m: giving up"), err);
        }
    }

    @Test
    void aChildExitingWithTheNoRestartStatusIsNotRestarted() throws Exception {
        try (DemoProcess s = DemoProcess.start("supervise", "--", "sh", "-c", "exit 2")) {
            String err = s.stderrAfterExit();
            assertEquals(2, s.process.exitValue(), err);
            assertEquals(1, count(err, "supervise: started sh"), err);
            assertTrue(err.contains("exited with status 2 after"), err);
            assertTrue(err.contains("not restarting"), err);
        }
        try (DemoProcess s = DemoProcess.start("supervise", "--no-restart-status", "7", "--", "sh", "-c", "exit 7")) {
            String err = s.stderrAfterExit();
            assertEquals(7, s.process.exitValue(), err);
            assertEquals(1, count(err, "supervise: started sh"), err);
        }
    }

    @Test
    void optionsComeFromTheConfigFileAndTheCommandLineWins() throws Exception {
        Path conf = tmp.resolve("supervise.conf");
        Files.writeString(conf, "supervise {\n  retries = 1\n  backoff = 10ms\n}\n");
        try (DemoProcess s = DemoProcess.start("supervise", "--config", conf.toString(), "--", "sh", "-c", "exit 3")) {
            String err = s.stderrAfterExit();
            assertEquals(1, s.process.exitValue(), err);
            assertTrue(err.contains("restart 1 of 1 within 1m in 10ms"), err);
        }
        try (DemoProcess s = DemoProcess.start(
                "supervise", "--config", conf.toString(), "--retries", "0", "--", "sh", "-c", "exit 3")) {
            String err = s.stderrAfterExit();
            assertEquals(1, s.process.exitValue(), err);
            assertEquals(1, count(err, "supervise: started sh"), "--retries 0 from the command line wins: " + err);
        }
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "supervise {\n  retries = many\n  spam = 5s\n}\n");
        try (DemoProcess s = DemoProcess.start("supervise", "--config", bad.toString(), "--", "true")) {
            String err = s.stderrAfterExit();
            assertEquals(2, s.process.exitValue(), err);
            assertTrue(err.contains(bad + ":2: supervise.retries: --retries must be a whole number, was 'many'"), err);
            assertTrue(err.contains(bad + ":3: supervise.spam: unknown key"), err);
            assertEquals(0, count(err, "supervise: started"), "nothing started: " + err);
        }
    }

    @Test
    void aChildExitingZeroIsRestartedAtOnce() throws Exception {
        try (DemoProcess s = DemoProcess.start("supervise", "--retries", "1", "--", "sh", "-c", "exit 0")) {
            String err = s.stderrAfterExit();
            assertEquals(1, s.process.exitValue(), err);
            assertEquals(2, count(err, "supervise: started sh"), err);
            assertTrue(err.contains("exited with status 0 after"), err);
            assertTrue(err.contains("restart 1 of 1 within 1m now"), "no pause after a clean exit: " + err);
        }
    }

    @Test
    void aHungWarrenChildIsTracedKilledAndRestarted() throws Exception {
        Path traces = tmp.resolve("traces");
        List<String> args = new ArrayList<>(
                List.of("--heartbeat-timeout", "1s", "--trace-dir", traces.toString(), "--name", "child", "--"));
        args.addAll(childCommand());
        try (DemoProcess s = DemoProcess.start("supervise", args.toArray(new String[0]))) {
            try {
                long first = Long.parseLong(s.await("child ready (\\d+)", 60));
                s.awaitStderr("child \\(pid " + first + "\\) heartbeats: hang protection is on \\(1s\\)", 60);
                send(s, "hang");
                String trace = s.awaitStderr(
                        "child \\(pid " + first + "\\) sent no heartbeat for \\d+ ms: its "
                                + "threads are in (\\S+); killing it",
                        60);
                assertEquals(traces.resolve("child." + first + ".trc").toString(), trace);
                String dump = Files.readString(Path.of(trace));
                assertTrue(dump.contains("\"spinner\" virtual"), "the dump lists virtual threads: " + dump);
                assertTrue(
                        dump.contains("SupervisedChild.spinForever"), "and the stack of the one that hangs: " + dump);
                s.awaitStderr(
                        "child \\(pid " + first + "\\) sent no heartbeat for 1s after \\S+ and was killed; "
                                + "restart 1 of 5 within 1m in 100ms",
                        60);
                long second = Long.parseLong(s.await("child ready (\\d+)", 60));
                assertNotEquals(first, second);
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> ProcessHandle.of(first)
                                        .map(ProcessHandle::isAlive)
                                        .orElse(false)
                                == false);
                s.awaitStderr("child \\(pid " + second + "\\) heartbeats: hang protection is on", 60);
                send(s, "exit 2");
                assertEquals(2, exitCode(s));
            } finally {
                killTree(s);
            }
        }
    }

    @Test
    void sigtermStopsTheChildGracefullyAndTheSupervisor() throws Exception {
        try (DemoProcess s = DemoProcess.start("supervise", childCommand().toArray(new String[0]))) {
            try {
                long child = Long.parseLong(s.await("child ready (\\d+)", 60));
                s.signal("TERM");
                assertEquals(0, exitCode(s), s.stderr.get());
                assertTrue(s.stderr.get().contains("supervise: stopping java (pid " + child + ")"), s.stderr.get());
                assertTrue(s.stderr.get().contains("supervise: stopped"), s.stderr.get());
                assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child is gone");
                assertEquals(1, count(s.stderr.get(), "supervise: started"), "and was not restarted");
            } finally {
                killTree(s);
            }
        }
    }

    @Test
    void theHttpServerSurvivesKillMinusNine() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("--name", "http_server", "--"));
        args.addAll(demoCommand("http_server", Integer.toString(port)));
        try (DemoProcess s = DemoProcess.start("supervise", args.toArray(new String[0]));
                HttpClient client = HttpClient.builder().build()) {
            try {
                s.await("http_server: listening on http://127.0.0.1:" + port + "/", 60);
                long first = Long.parseLong(s.awaitStderr("started http_server \\(pid (\\d+)\\)", 10));
                assertEquals(200, get(client, port).status());
                ProcessHandle.of(first).orElseThrow().destroyForcibly();
                s.awaitStderr("http_server \\(pid " + first + "\\) exited with status 137 \\(killed by SIGKILL\\)", 30);
                s.await("http_server: listening on http://127.0.0.1:" + port + "/", 60);
                long second =
                        Long.parseLong(s.awaitStderr("started http_server \\(pid ((?!" + first + ")\\d+)\\)", 10));
                assertNotEquals(first, second);
                ClientResponse r = Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> get(client, port), reply -> reply.status() == 200);
                assertTrue(r.bodyString().contains("Warren"), r.bodyString());
            } finally {
                killTree(s);
            }
        }
    }

    private static ClientResponse get(HttpClient client, int port) throws IOException {
        return client.get("127.0.0.1", port, "/");
    }

    /** The test child, run by the JDK of this test on one carrier, so that one spinning tasklet hangs it. */
    private static List<String> childCommand() {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = DemoProcess.ROOT.resolve("tests/target/test-classes") + ":"
                + DemoProcess.ROOT.resolve("demos/target/lib") + "/*";
        return List.of(
                java,
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "-cp",
                cp,
                SupervisedChild.class.getName());
    }

    /** A demo's command line as its launcher runs it. */
    private static List<String> demoCommand(String demo, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Djdk.pollerMode=1",
                "-cp",
                DemoProcess.ROOT.resolve("demos/target/warren-demos.jar") + ":"
                        + DemoProcess.ROOT.resolve("demos/target/lib") + "/*",
                "dev.warren.demos.Main",
                demo));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void send(DemoProcess s, String line) throws IOException {
        OutputStream in = s.process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static int exitCode(DemoProcess s) throws InterruptedException {
        assertTrue(s.process.waitFor(60, TimeUnit.SECONDS), "the supervisor ended: " + s.stderr.get());
        return s.process.exitValue();
    }

    /** The supervisor's children would outlive a forcibly killed supervisor. */
    private static void killTree(DemoProcess s) {
        s.process.descendants().forEach(ProcessHandle::destroyForcibly);
        s.process.destroyForcibly();
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
