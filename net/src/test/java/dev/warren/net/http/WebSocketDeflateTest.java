package dev.warren.net.http;

import static dev.warren.net.http.WebSocketTest.concat;
import static dev.warren.net.http.WebSocketTest.frame;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** permessage-deflate (RFC 7692): negotiation, the RFC's own byte examples, limits and violations. */
class WebSocketDeflateTest {
    private static final byte[] HELLO_DEFLATED = {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00};
    private static final byte[] HELLO_AGAIN = {(byte) 0xf2, 0x00, 0x11, 0x00, 0x00};

    private HttpServer server;

    @BeforeEach
    void start() {
        WebSocketOptions deflate =
                WebSocketOptions.builder().permessageDeflate(true).build();
        WebSocketHandler echo = WsFrames.echo();
        Router router = Router.builder()
                .websocket("/deflate", deflate, echo)
                .websocket("/plain", echo)
                .websocket(
                        "/fresh",
                        WebSocketOptions.builder()
                                .permessageDeflate(true)
                                .contextTakeover(false)
                                .build(),
                        echo)
                .websocket(
                        "/small",
                        WebSocketOptions.builder()
                                .permessageDeflate(true)
                                .maxMessageBytes(100_000)
                                .build(),
                        echo)
                .build();
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .reactor(reactor())
                .handler(router)
                .start();
    }

    boolean reactor() {
        return HttpServer.builder().listener().reactor();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    private static WebSocketOptions clientDeflate() {
        return WebSocketOptions.builder()
                .idleTimeout(null)
                .permessageDeflate(true)
                .build();
    }

    @Test
    void theRfcExampleInflatesAndTheContextCarriesOver() throws Exception {
        try (Socket s = open("/deflate", "permessage-deflate; client_max_window_bits")) {
            // RFC 7692 7.2.3.1 and 7.2.3.2: "Hello" compressed, then again using the first one's context
            send(s, frame(true, 0x40, 1, true, HELLO_DEFLATED));
            assertEquals("Hello", readText(s.getInputStream()));
            send(s, frame(true, 0x40, 1, true, HELLO_AGAIN));
            assertEquals("Hello", readText(s.getInputStream()), "the second message uses the first's window");
            // 7.2.3.3: a message in a stored (uncompressed) block
            send(s, frame(true, 0x40, 1, true, new byte[] {
                0x00, 0x05, 0x00, (byte) 0xfa, (byte) 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00
            }));
            assertEquals("Hello", readText(s.getInputStream()));
            // 7.2.3.4: compressed across two frames, RSV1 only on the first
            send(
                    s,
                    concat(
                            frame(false, 0x40, 1, true, new byte[] {(byte) 0xf2, 0x48, (byte) 0xcd}),
                            frame(true, 0, 0, true, new byte[] {(byte) 0xc9, (byte) 0xc9, 0x07, 0x00})));
            assertEquals("Hello", readText(s.getInputStream()));
        }
    }

    @Test
    void aFinalBlockFromThePeerStartsAFreshStreamForTheNextMessage() throws Exception {
        try (Socket s = open("/deflate", "permessage-deflate")) {
            // "Hello" in a block with BFINAL set (a sender may end its stream; the next starts anew)
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput("Hello".getBytes(StandardCharsets.US_ASCII));
            d.finish();
            byte[] buf = new byte[64];
            int n = d.deflate(buf);
            d.end();
            byte[] fin = java.util.Arrays.copyOf(buf, n);
            send(s, frame(true, 0x40, 1, true, fin));
            assertEquals("Hello", readText(s.getInputStream()));
            send(s, frame(true, 0x40, 1, true, HELLO_DEFLATED));
            assertEquals("Hello", readText(s.getInputStream()));
        }
    }

    @Test
    void ourClientAndServerCompressBigRepetitiveMessages() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 200_000; i++) {
            sb.append("{\"key\":\"sensor-")
                    .append(i % 50)
                    .append("\",\"value\":")
                    .append(i % 7)
                    .append("}\n");
        }
        String text = sb.toString();
        byte[] random = new byte[50_000];
        new Random(7).nextBytes(random);
        long bytesInBefore = server.stats().tcp().bytesIn();
        try (WebSocket ws = WebSocketClient.connect(uri("/deflate"), clientDeflate())) {
            assertTrue(ws.compressed(), "the server agreed");
            for (int i = 0; i < 5; i++) {
                ws.sendText(text);
                assertEquals(text, ws.receive().text());
            }
            ws.sendBinary(random);
            assertArrayEquals(random, ws.receive().bytes(), "incompressible data survives too");
            ws.sendText("tiny"); // under the threshold: sent plain, in the same session
            assertEquals("tiny", ws.receive().text());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().tcp().active() == 0);
        long wire = server.stats().tcp().bytesIn() - bytesInBefore;
        assertTrue(
                wire < 5L * text.length() / 5 + random.length + 10_000,
                "1 MB of repetitive text crossed as " + wire + " bytes: it was compressed");
    }

    @Test
    void noContextTakeoverIsNegotiatedBothWaysAndStillRoundTrips() throws Exception {
        WebSocketOptions fresh = WebSocketOptions.builder()
                .idleTimeout(null)
                .permessageDeflate(true)
                .contextTakeover(false)
                .build();
        try (WebSocket ws = WebSocketClient.connect(uri("/deflate"), fresh)) {
            assertTrue(ws.compressed());
            for (int i = 0; i < 20; i++) {
                String m = ("message " + i + " ").repeat(20);
                ws.sendText(m);
                assertEquals(m, ws.receive().text());
            }
        }
        try (Socket s = open("/fresh", "permessage-deflate")) {
            assertTrue(lastHead.contains("server_no_context_takeover"), lastHead);
            assertTrue(lastHead.contains("client_no_context_takeover"), lastHead);
            send(s, frame(true, 0x40, 1, true, HELLO_DEFLATED));
            assertEquals("Hello", readText(s.getInputStream()));
        }
    }

    @Test
    void aServerWithoutCompressionDeclinesAndBothSidesSpeakPlainFrames() throws Exception {
        try (WebSocket ws = WebSocketClient.connect(uri("/plain"), clientDeflate())) {
            assertFalse(ws.compressed());
            String m = "x".repeat(10_000);
            ws.sendText(m);
            assertEquals(m, ws.receive().text());
        }
        try (WebSocket ws = WebSocketClient.connect(uri("/deflate"))) {
            assertFalse(ws.compressed(), "a client that does not offer gets plain frames");
            ws.sendText("y".repeat(10_000));
            assertEquals("y".repeat(10_000), ws.receive().text());
        }
    }

    @Test
    void offersTheServerCannotHonourAreDeclinedAndTheNextOneTaken() {
        WebSocketOptions on = WebSocketOptions.builder().permessageDeflate(true).build();
        assertNull(PerMessageDeflate.accept("permessage-deflate; server_max_window_bits=10", on), "a 10-bit window");
        assertNull(PerMessageDeflate.accept("permessage-deflate; foo", on), "an unknown parameter");
        assertNull(PerMessageDeflate.accept(
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover", on));
        assertNull(PerMessageDeflate.accept("x-webkit-deflate-frame", on));
        assertNull(PerMessageDeflate.accept("permessage-deflate", WebSocketOptions.SERVER_DEFAULTS), "not enabled");
        PerMessageDeflate second = PerMessageDeflate.accept(
                "permessage-deflate; server_max_window_bits=9, permessage-deflate; client_max_window_bits", on);
        assertNotNull(second, "the second offer is acceptable");
        assertEquals("permessage-deflate", second.responseHeader());
        assertEquals(
                "permessage-deflate; server_no_context_takeover",
                PerMessageDeflate.accept(
                                "permessage-deflate; server_no_context_takeover; server_max_window_bits=15", on)
                        .responseHeader());
    }

    @Test
    void answersAClientMayNotTakeFailTheHandshake() throws Exception {
        WebSocketOptions on = clientDeflate();
        assertThrows(
                PerMessageDeflate.NegotiationException.class,
                () -> PerMessageDeflate.accepted("permessage-deflate; client_max_window_bits=10", on));
        assertThrows(PerMessageDeflate.NegotiationException.class, () -> PerMessageDeflate.accepted("x-other", on));
        assertThrows(
                PerMessageDeflate.NegotiationException.class,
                () -> PerMessageDeflate.accepted("permessage-deflate", WebSocketOptions.CLIENT_DEFAULTS));
        assertNotNull(PerMessageDeflate.accepted("permessage-deflate; server_max_window_bits=12", on));
        // a server that agrees to an extension the client never offered: our client refuses the connection
        try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var t = dev.warren.tasklets.Tasklets.start("fake-server", () -> {
                try (Socket c = fake.accept()) {
                    WsFrames.answer101(c, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
                    c.getInputStream().read();
                } catch (IOException e) {
                    // the client hung up, as it should
                }
            });
            ProtocolException e = assertThrows(
                    ProtocolException.class,
                    () -> WebSocketClient.connect(URI.create("ws://127.0.0.1:" + fake.getLocalPort() + "/")));
            assertTrue(e.getMessage().contains("not offered"), e.getMessage());
            t.join();
        }
    }

    @Test
    void aSmallFrameThatInflatesPastTheLimitClosesWith1009() throws Exception {
        long protocolErrors = protocolErrors();
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(new byte[5_000_000]);
        byte[] buf = new byte[64 * 1024];
        int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        d.end();
        assertTrue(n < 10_000, "5 MB of zeros deflate to " + n + " bytes");
        byte[] bomb = java.util.Arrays.copyOf(buf, n - 4);
        try (Socket s = open("/small", "permessage-deflate")) {
            send(s, frame(true, 0x40, 2, true, bomb));
            assertEquals(1009, WsFrames.readClose(s.getInputStream()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> protocolErrors() > protocolErrors);
    }

    @Test
    void rsv1WhereTheExtensionDoesNotAllowItClosesWith1002() throws Exception {
        byte[][] bad = {
            frame(true, 0x40, 9, true, new byte[0]), // a control frame
            concat(
                    frame(false, 0, 1, true, new byte[] {0x41}),
                    frame(true, 0x40, 0, true, new byte[] {0x42})), // continuation
            frame(true, 0x20, 1, true, HELLO_DEFLATED), // RSV2
            frame(true, 0x40, 1, true, new byte[] {(byte) 0xff, (byte) 0xff, 0x12}), // not deflate
        };
        for (byte[] frames : bad) {
            try (Socket s = open("/deflate", "permessage-deflate")) {
                send(s, frames);
                assertEquals(1002, WsFrames.readClose(s.getInputStream()));
            }
        }
        try (Socket s = open("/plain", "permessage-deflate")) {
            assertFalse(lastHead.contains("Sec-WebSocket-Extensions"), lastHead);
            send(s, frame(true, 0x40, 1, true, HELLO_DEFLATED));
            assertEquals(1002, WsFrames.readClose(s.getInputStream()), "RSV1 when nothing was agreed");
        }
        try (WebSocket ws = WebSocketClient.connect(uri("/deflate"), clientDeflate())) {
            ws.sendText("still here ".repeat(20));
            assertEquals("still here ".repeat(20), ws.receive().text());
        }
    }

    @Test
    void optionsRejectBadValuesByName() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> WebSocketOptions.builder().maxMessageBytes(0));
        assertTrue(e.getMessage().contains("maxMessageBytes must be > 0, was 0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WebSocketOptions.builder().compressionThreshold(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WebSocketOptions.builder().idleTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("PT0S"), e.getMessage());
    }

    // ---------------------------------------------------------------- raw frames

    private String lastHead = "";

    private long protocolErrors() {
        return server.stats().tcp().closed().getOrDefault(CloseReason.PROTOCOL_ERROR, 0L);
    }

    private Socket open(String path, String extensions) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Extensions: " + extensions + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        lastHead = WsFrames.readHead(s.getInputStream());
        assertTrue(lastHead.startsWith("HTTP/1.1 101 "), lastHead);
        return s;
    }

    private static void send(Socket s, byte[] frames) throws IOException {
        s.getOutputStream().write(frames);
        s.getOutputStream().flush();
    }

    /** One server message, inflated if RSV1 says so (the server sends small ones plain). */
    private static String readText(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int b0 = in.readUnsignedByte();
        int len = in.readUnsignedByte();
        if (len == 126) {
            len = in.readUnsignedShort();
        }
        byte[] p = new byte[len];
        in.readFully(p);
        assertEquals(1, b0 & 0x0F, "a text frame");
        assertEquals(0, b0 & 0x40, "a message under the threshold goes uncompressed");
        return new String(p, StandardCharsets.UTF_8);
    }
}
