package dev.warren.net.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The line console in-process: commands, errors, a huge line, a client that never reads, several at once. */
@Timeout(120)
class ConsoleTest {

    /** One console client: sends a line and reads the answer up to the next prompt. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        String untilPrompt() throws IOException {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (; ; ) {
                int b = in.read();
                if (b < 0) {
                    return got.toString(StandardCharsets.UTF_8) + "<EOF>";
                }
                got.write(b);
                String s = got.toString(StandardCharsets.UTF_8);
                if (s.endsWith(Console.PROMPT)) {
                    return s.substring(0, s.length() - Console.PROMPT.length());
                }
            }
        }

        String command(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return untilPrompt();
        }

        String rest() throws IOException {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void commandsAnswerAndErrorsAreOneLineNamingTheValue() throws Exception {
        LogStream s = LogStreams.builder("test.console").memory(10, 1000).declare();
        try (Console console = Console.start(0);
                Client c = new Client(console.port())) {
            assertTrue(c.untilPrompt().contains("help"));
            String help = c.command("help");
            for (String cmd : List.of(
                    "show tasklets", "show sockets", "show jobq", "show streams", "log enable", "metrics", "quit")) {
                assertTrue(help.contains(cmd), cmd + " in " + help);
            }
            assertTrue(c.command("show tasklets").contains("scope "), "the tree");
            assertTrue(c.command("show tasklets conn 127.0.0.1:").contains("RUNNING"), "this console's own tasklet");
            assertTrue(c.command("show sockets").contains("console"));
            c.command("show jobq");
            c.command("show streams");
            assertTrue(c.command("show watchdog").contains("heartbeats"));
            assertTrue(c.command("show logs").contains("http.access"));
            assertEquals("test.console enabled\n", c.command("log enable test.console"));
            assertTrue(s.enabled());
            s.log("hello from the test");
            assertTrue(c.command("show log test.console").contains("[1] hello from the test"));
            assertEquals("test.console disabled\n", c.command("LOG DISABLE test.console"));
            assertFalse(s.enabled());
            assertTrue(c.command("metrics").contains("warren_log_lines_total"));
            assertEquals("", c.command(""), "an empty line is answered with the prompt alone");

            assertEquals("error: unknown command 'frobnicate'; try help\n", c.command("frobnicate now"));
            assertTrue(
                    c.command("log enable no.such.stream").startsWith("error: no log stream named 'no.such.stream'"));
            assertEquals("error: log maybe: use log enable NAME or log disable NAME\n", c.command("log maybe jobq"));
            assertEquals("error: usage: log enable|disable NAME\n", c.command("log enable"));
            assertTrue(c.command("show nothing").startsWith("error: unknown: show nothing"));
            assertTrue(c.command("show log jobq lots").contains("'lots'"));
            assertEquals("bye\n<EOF>", c.command("quit") + c.rest());
        }
    }

    @Test
    void aMegabyteLineClosesThatConsoleOnlyAndAClientThatNeverReadsHarmsNoOne() throws Exception {
        try (Console console = Console.start(0);
                Client huge = new Client(console.port());
                Client deaf = new Client(console.port());
                Client other = new Client(console.port())) {
            huge.untilPrompt();
            deaf.untilPrompt();
            other.untilPrompt();
            // never reads: its answers (the metrics, tens of KB each) fill the socket buffers
            deaf.out.write("metrics\n".repeat(200).getBytes(StandardCharsets.US_ASCII));
            deaf.out.flush();

            byte[] line = new byte[1 << 20];
            java.util.Arrays.fill(line, (byte) 'x');
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    huge.out.write(line);
                    huge.out.write('\n');
                    huge.out.flush();
                } catch (IOException closedUnderUs) {
                    // the console closes after the first 4 KiB: the rest may meet a reset
                }
            });
            String answer = huge.rest();
            writer.join();
            assertTrue(
                    answer.startsWith("error: line longer than 4096 bytes; closing this console\n"),
                    answer.length() > 200 ? answer.substring(0, 200) : answer);

            assertTrue(other.command("help").contains("show tasklets"), "the others go on");
            assertEquals("jobq enabled\n", other.command("log enable jobq"));
            assertEquals("jobq disabled\n", other.command("log disable jobq"));
        }
    }

    @Test
    void severalConsolesAtOnce() throws Exception {
        try (Console console = Console.start(0)) {
            List<Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Client c = new Client(console.port());
                    c.untilPrompt();
                    clients.add(c);
                }
                for (int round = 0; round < 3; round++) {
                    for (Client c : clients) {
                        assertTrue(c.command("show logs").contains("watchdog"));
                    }
                }
            } finally {
                for (Client c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void badOptionsAreNamed() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> Console.builder().port(-3))
                .getMessage()
                .contains("-3"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> Console.builder().maxConsoles(0))
                .getMessage()
                .contains("was 0"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> Console.builder().idleTimeout(Duration.ZERO))
                .getMessage()
                .contains("PT0S"));
    }
}
