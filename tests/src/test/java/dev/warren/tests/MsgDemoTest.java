package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.demos.MsgClientDemo;
import dev.warren.demos.MsgServerDemo;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code msg_server} / {@code msg_client} demos: argument errors, and real echo runs in-process. */
class MsgDemoTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    /**
     * The first {@code new Socket()} initialises {@code SocksSocketImpl}; client tasklets that create
     * their first sockets at that moment would wait for the class initialisation holding their carriers
     * (a JVM class-init wait, reported by the pinning guard). Done here on the platform test thread.
     */
    @BeforeAll
    static void warmSocketClasses() throws Exception {
        new Socket().close();
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                               | PORT is missing",
                "70000                            | 70000",
                "abc                              | 'abc'",
                "7000 --format xml                | 'xml'",
                "7000 --max-size 0                | --max-size must be",
                "7000 --max-size                  | --max-size needs a value",
                "7000 --bogus                     | '--bogus'"
            })
    void msgServerRejectsBadArguments(String args, String expected) throws Exception {
        String[] a = args.isBlank() ? new String[0] : args.trim().split("\\s+");
        assertEquals(2, MsgServerDemo.run(a, out, err));
        assertTrue(err().contains(expected), err());
        assertTrue(err().contains("usage: msg_server"), err());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1                              | PORT is missing",
                "127.0.0.1 0                            | PORT must be 1..65535, was 0",
                "127.0.0.1 99999                        | 99999",
                "127.0.0.1 7000 -s 5000                 | SIZE 5000 is above --max-size 4096",
                "127.0.0.1 7000 -s 200 --max-size 100   | SIZE 200 is above --max-size 100",
                "127.0.0.1 7000 --format json           | 'json'",
                "127.0.0.1 7000 -n -5                   | COUNT must be",
                "127.0.0.1 7000 -c 0                    | CONNECTIONS must be"
            })
    void msgClientRejectsBadArguments(String args, String expected) throws Exception {
        assertEquals(2, MsgClientDemo.run(args.trim().split("\\s+"), out, err));
        assertTrue(err().contains(expected), err());
        assertTrue(err().contains("usage: msg_client"), err());
    }

    @ParameterizedTest
    @CsvSource({"buffstreams, 110, 3", "fixed32, 1000, 2", "buffstreams, 0, 1", "buffstreams, 5, 1"})
    void anEchoRunChecksEveryByteAndExitsZero(String format, int size, int connections) throws Exception {
        try (MessageServer server =
                MsgServerDemo.start(new String[] {"0", "--echo", "--bind", "127.0.0.1", "--format", format}, out)) {
            assertTrue(out().contains("listening on 127.0.0.1:" + server.port()), out());
            int code = MsgClientDemo.run(
                    new String[] {
                        "127.0.0.1",
                        String.valueOf(server.port()),
                        "-n",
                        "20000",
                        "-s",
                        String.valueOf(size),
                        "-c",
                        String.valueOf(connections),
                        "--format",
                        format,
                        "--echo"
                    },
                    out,
                    err);
            assertEquals(0, code, out() + err());
            assertTrue(out().contains("0 mismatched, 0 missing"), out());
            assertEquals(20000L * connections, server.stats().messagesOut());
        }
    }

    @Test
    void aCorruptedEchoIsCaughtAndExitsNonZero() throws Exception {
        try (MessageServer liar = MessageServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .format(FrameFormat.buffStreams(4096))
                .handler((conn, payload) -> {
                    byte[] copy = new byte[payload.remaining()];
                    payload.get(copy);
                    if (conn.messagesIn() == 500) {
                        copy[copy.length - 1] ^= 1; // one flipped bit in one message
                    }
                    conn.reply(copy);
                })
                .start()) {
            int code = MsgClientDemo.run(
                    new String[] {"127.0.0.1", String.valueOf(liar.port()), "-n", "1000", "--echo"}, out, err);
            assertEquals(1, code, out() + err());
            assertTrue(out().contains("1 mismatched, 0 missing"), out());
            assertTrue(err().contains("FAILED"), err());
        }
    }

    @Test
    void aSinkRunReportsItsRate() throws Exception {
        try (MessageServer server =
                MsgServerDemo.start(new String[] {"0", "--bind", "127.0.0.1", "--max-size", "200"}, out)) {
            int code = MsgClientDemo.run(
                    new String[] {"127.0.0.1", String.valueOf(server.port()), "-n", "50000", "--max-size", "200"},
                    out,
                    err);
            assertEquals(0, code, err());
            assertTrue(out().contains("sent 50,000 messages of 110 bytes on 1 connection"), out());
            org.awaitility.Awaitility.await().until(() -> server.stats().messagesIn() == 50_000);
        }
    }

    /**
     * {@code ./msg_server} stopped by a signal: idle connections are closed at once (no waiting out the
     * drain timeout), a message in flight is finished and answered, and the process exits 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalStopsTheServerAtOnceFinishingOnlyWhatIsInFlight(String signal) throws Exception {
        try (DemoProcess server = DemoProcess.start("msg_server", "0", "--echo")) {
            int port = Integer.parseInt(server.await("msg_server listening on [^:]+:(\\d+)", 30));
            FrameFormat f = FrameFormat.buffStreams(4096);
            try (Socket idle = new Socket("127.0.0.1", port);
                    Socket busy = new Socket("127.0.0.1", port)) {
                busy.setSoTimeout(20_000);
                byte[] payload = "in flight".getBytes(StandardCharsets.UTF_8);
                java.nio.ByteBuffer framed = java.nio.ByteBuffer.allocate(f.headerSize() + payload.length);
                f.encode(payload, framed);
                byte[] frame = framed.array();
                // half a frame: this connection has a message in flight
                busy.getOutputStream().write(frame, 0, f.headerSize() + 2);
                server.await("1 connections|2 connections", 30);
                server.signal(signal);
                server.await("shutting down", 30);
                busy.getOutputStream().write(frame, f.headerSize() + 2, payload.length - 2);
                byte[] echoed = busy.getInputStream().readNBytes(frame.length);
                assertEquals(
                        new String(frame, StandardCharsets.ISO_8859_1),
                        new String(echoed, StandardCharsets.ISO_8859_1));
                assertEquals(-1, idle.getInputStream().read(), "the idle connection was closed");
                assertTrue(server.process.waitFor(20, TimeUnit.SECONDS), "the server did not stop");
            }
            assertEquals(0, server.process.exitValue(), server.output() + server.stderrAfterExit());
            String ms = server.await("stopped in (\\d+) ms", 5);
            // nothing idle is waited for: far under the 5 s drain timeout (a bound, not a timing)
            assertTrue(Long.parseLong(ms) < 4_000, "stopped in " + ms + " ms");
        }
    }
}
