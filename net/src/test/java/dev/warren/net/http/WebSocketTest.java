package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 6455 on the server and the client, against the JDK's client and raw frames. */
class WebSocketTest {
    private HttpServer server;
    private final java.util.Set<WebSocket> room = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() {
        Router router = Router.builder()
                .websocket("/echo", WsFrames.echo())
                .websocket("/small", 100, Duration.ofMillis(300), ws -> {
                    while (ws.receive() != null) {
                        // the limits are what this route is about
                    }
                })
                .websocket("/fails", ws -> {
                    throw new IllegalStateException("the handler's bug");
                })
                .websocket("/bye", ws -> ws.close(4000, "done with you"))
                .websocket("/chat", ws -> {
                    room.add(ws);
                    try {
                        for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                            for (WebSocket other : room) {
                                other.sendText(m.text()); // written from this tasklet while theirs reads
                            }
                        }
                    } finally {
                        room.remove(ws);
                    }
                })
                .build();
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .reactor(reactor())
                .handler(router)
                .start();
    }

    /** Whether the server reads its sockets with the reactor; {@link WebSocketBlockingTest} says no. */
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

    @Test
    void theJdkClientTalksToTheServer() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final ByteArrayOutputStream bin = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    got.add("text:" + text);
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                bin.writeBytes(b);
                if (last) {
                    got.add("binary:" + bin.size());
                    bin.reset();
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(java.net.http.WebSocket ws, ByteBuffer message) {
                got.add("pong:" + StandardCharsets.UTF_8.decode(message));
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }
        };
        try (HttpClient jdk = HttpClient.newHttpClient()) {
            java.net.http.WebSocket ws =
                    jdk.newWebSocketBuilder().buildAsync(uri("/echo"), listener).get(10, TimeUnit.SECONDS);
            ws.sendText("hello, ünïcode", true).get(10, TimeUnit.SECONDS);
            assertEquals("text:hello, ünïcode", got.poll(10, TimeUnit.SECONDS));
            ws.sendText("frag", false).get(10, TimeUnit.SECONDS);
            ws.sendText("mented", true).get(10, TimeUnit.SECONDS);
            assertEquals("text:fragmented", got.poll(10, TimeUnit.SECONDS));
            ws.sendBinary(ByteBuffer.wrap(new byte[200_000]), true).get(10, TimeUnit.SECONDS);
            assertEquals("binary:200000", got.poll(10, TimeUnit.SECONDS));
            ws.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            assertEquals("pong:p1", got.poll(10, TimeUnit.SECONDS));
            ws.sendClose(1000, "thanks").get(10, TimeUnit.SECONDS);
            assertEquals(1000, closed.get(10, TimeUnit.SECONDS), "the server answers the close with its code");
        }
    }

    @Test
    void ourClientTalksToOurServerFromManyTaskletsInOrder() throws Exception {
        try (WebSocket ws = WebSocketClient.connect(uri("/echo"))) {
            int senders = 4;
            int each = 200;
            List<Tasklet<Void>> ts = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int id = s;
                ts.add(Tasklets.start("sender-" + s, () -> {
                    for (int i = 0; i < each; i++) {
                        ws.sendText(id + ":" + i);
                    }
                }));
            }
            int[] next = new int[senders];
            for (int n = 0; n < senders * each; n++) {
                WebSocketMessage m = ws.receive();
                String[] p = m.text().split(":", -1);
                int id = Integer.parseInt(p[0]);
                assertEquals(next[id]++, Integer.parseInt(p[1]), "each sender's messages stay in order");
            }
            for (Tasklet<Void> t : ts) {
                t.join();
            }
            byte[] big = new byte[300_000];
            new java.util.Random(3).nextBytes(big);
            ws.sendBinary(big);
            WebSocketMessage back = ws.receive();
            assertTrue(!back.isText());
            assertArrayEquals(big, back.bytes());
            ws.close(1000, "done");
            assertEquals(1000, ws.closeCode());
            assertNull(ws.receive(), "closed: no more messages");
        }
    }

    @Test
    void aChatRoomWritesToEveryoneFromTheSendersTasklet() throws Exception {
        List<WebSocket> people = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                people.add(WebSocketClient.connect(uri("/chat")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> room.size() == 3);
            int rounds = 100;
            List<Tasklet<Void>> talkers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                WebSocket me = people.get(p);
                int id = p;
                talkers.add(Tasklets.start("talker-" + p, () -> {
                    for (int i = 0; i < rounds; i++) {
                        me.sendText(id + ":" + i);
                    }
                }));
            }
            for (WebSocket me : people) {
                int[] next = new int[3];
                for (int n = 0; n < 3 * rounds; n++) {
                    String[] m = me.receive().text().split(":", -1);
                    int from = Integer.parseInt(m[0]);
                    assertEquals(next[from]++, Integer.parseInt(m[1]), "in order from each talker");
                }
            }
            for (Tasklet<Void> t : talkers) {
                t.join();
            }
        } finally {
            for (WebSocket ws : people) {
                ws.close();
            }
        }
    }

    @Test
    void sendCloseLetsTheReceivingTaskletReadEverythingBeforeTheAnswer() throws Exception {
        try (WebSocket ws = WebSocketClient.connect(uri("/echo"))) {
            Tasklet<List<String>> reader = Tasklets.start("reader", () -> {
                List<String> got = new ArrayList<>();
                for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                    got.add(m.text());
                }
                return got;
            });
            for (int i = 0; i < 50; i++) {
                ws.sendText("m" + i);
            }
            ws.sendClose(WebSocket.NORMAL, "bye");
            assertThrows(IOException.class, () -> ws.sendText("after the close"));
            List<String> got = reader.join();
            assertEquals(50, got.size(), "every echo sent before the server's close frame: " + got);
            assertEquals("m49", got.get(49));
            assertEquals(1000, ws.closeCode());
        }
    }

    @Test
    void aServerCloseReachesTheClientWithItsCodeAndReason() throws Exception {
        try (WebSocket ws = WebSocketClient.connect(uri("/bye"))) {
            assertNull(ws.receive());
            assertEquals(4000, ws.closeCode());
            assertEquals("done with you", ws.closeReason());
            IOException e = assertThrows(IOException.class, () -> ws.sendText("too late"));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void aHandlerThatThrowsClosesWith1011AndCountsAnError() throws Exception {
        long before = server.stats().handlerErrors();
        try (WebSocket ws = WebSocketClient.connect(uri("/fails"))) {
            assertNull(ws.receive());
            assertEquals(1011, ws.closeCode());
        }
        assertEquals(before + 1, server.stats().handlerErrors());
    }

    @Test
    void handshakesThatAreNotWebSocketsAreAnswered() throws IOException {
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(426, r.status());
            assertEquals("websocket", r.header("Upgrade"));
        }
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send(handshake("8", "dGhlIHNhbXBsZSBub25jZQ==")).read();
            assertEquals(426, r.status());
            assertEquals("13", r.header("Sec-WebSocket-Version"));
        }
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send(handshake("13", "short")).read();
            assertEquals(400, r.status());
            assertTrue(r.body().contains("'short'"), r.body());
        }
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsSession.accept("dGhlIHNhbXBsZSBub25jZQ=="), "RFC 6455 1.3");
        assertThrows(IllegalArgumentException.class, () -> WebSocketClient.connect(URI.create("http://x/")));
    }

    /** One violation: the frames a bad client sends, and the close code the server must answer with. */
    record Violation(String name, String path, int code, ByteBuffer bytes) {
        Violation(String name, String path, int code, byte[] frames) {
            this(name, path, code, ByteBuffer.wrap(frames).asReadOnlyBuffer());
        }

        byte[] frames() {
            byte[] b = new byte[bytes.remaining()];
            bytes.duplicate().get(b);
            return b;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Violation> violations() {
        byte[] badUtf8 = {(byte) 0xC3, (byte) 0x28};
        return List.of(
                new Violation("unmasked client frame", "/echo", 1002, frame(true, 0, 1, false, ascii("hi"))),
                new Violation("reserved bit", "/echo", 1002, frame(true, 0x40, 1, true, ascii("hi"))),
                new Violation("reserved opcode 3", "/echo", 1002, frame(true, 0, 3, true, new byte[1])),
                new Violation("reserved control opcode 11", "/echo", 1002, frame(true, 0, 11, true, new byte[0])),
                new Violation("control frame of 126 bytes", "/echo", 1002, frame(true, 0, 9, true, new byte[126])),
                new Violation("fragmented ping", "/echo", 1002, frame(false, 0, 9, true, new byte[1])),
                new Violation("continuation first", "/echo", 1002, frame(true, 0, 0, true, ascii("x"))),
                new Violation(
                        "new message inside a fragmented one",
                        "/echo",
                        1002,
                        concat(frame(false, 0, 1, true, ascii("a")), frame(true, 0, 1, true, ascii("b")))),
                new Violation("text that is not UTF-8", "/echo", 1007, frame(true, 0, 1, true, badUtf8)),
                new Violation(
                        "UTF-8 broken across fragments",
                        "/echo",
                        1007,
                        concat(
                                frame(false, 0, 1, true, new byte[] {(byte) 0xE2, (byte) 0x82}),
                                frame(true, 0, 0, true, new byte[] {0x41}))),
                new Violation("message over the limit", "/small", 1009, frame(true, 0, 2, true, new byte[101])),
                new Violation(
                        "fragments over the limit",
                        "/small",
                        1009,
                        concat(frame(false, 0, 2, true, new byte[60]), frame(true, 0, 0, true, new byte[60]))),
                new Violation(
                        "close code 1005", "/echo", 1002, frame(true, 0, 8, true, new byte[] {0x03, (byte) 0xED})),
                new Violation("close with one byte", "/echo", 1002, frame(true, 0, 8, true, new byte[] {0x03})),
                new Violation("close reason not UTF-8", "/echo", 1007, frame(true, 0, 8, true, new byte[] {
                    0x03, (byte) 0xE8, (byte) 0xC3, 0x28
                })));
    }

    @ParameterizedTest
    @MethodSource("violations")
    void violationsCloseWithTheRightCodeAndTheServerLivesOn(Violation v) throws Exception {
        long protocolErrors = protocolErrors();
        try (Socket s = open(v.path())) {
            s.getOutputStream().write(v.frames());
            s.getOutputStream().flush();
            int[] close = readClose(s.getInputStream());
            assertEquals(v.code(), close[0], v.name());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> protocolErrors() > protocolErrors);
        try (WebSocket ws = WebSocketClient.connect(uri("/echo"))) {
            ws.sendText("still here");
            assertEquals("still here", ws.receive().text());
        }
    }

    @Test
    void aSilentPeerIsPingedAndClosedWhenThePongNeverComes() throws Exception {
        try (Socket s = open("/small")) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            int b0 = in.readUnsignedByte();
            assertEquals(0x89, b0, "a ping (FIN, opcode 9) after the idle timeout");
            in.readFully(new byte[in.readUnsignedByte()]);
            int[] close = readClose(in);
            assertEquals(1001, close[0], "no pong: going away");
        }
    }

    @Test
    void aPeerThatAnswersPingsStaysOpen() throws Exception {
        long protocolErrors = protocolErrors();
        try (Socket s = open("/small")) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int round = 0; round < 3; round++) {
                assertEquals(0x89, in.readUnsignedByte(), "round " + round + ": a ping, not a close");
                byte[] data = new byte[in.readUnsignedByte()];
                in.readFully(data);
                s.getOutputStream().write(frame(true, 0, 10, true, data));
                s.getOutputStream().flush();
            }
            s.getOutputStream().write(frame(true, 0, 8, true, new byte[] {0x03, (byte) 0xE8}));
            s.getOutputStream().flush();
            assertEquals(1000, readClose(in)[0], "three idle timeouts later it still answers a normal close");
        }
        assertEquals(protocolErrors, protocolErrors());
    }

    private static String handshake(String version, String key) {
        return "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
                + version + "\r\nSec-WebSocket-Key: " + key + "\r\n\r\n";
    }

    private long protocolErrors() {
        return server.stats().tcp().closed().getOrDefault(CloseReason.PROTOCOL_ERROR, 0L);
    }

    private Socket open(String path) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = WsFrames.readHead(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
        assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
        return s;
    }

    /** Reads frames until the server's close frame: {code} (1005 for none). */
    private static int[] readClose(InputStream raw) throws IOException {
        return new int[] {WsFrames.readClose(raw)};
    }

    static byte[] frame(boolean fin, int rsv, int op, boolean masked, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((fin ? 0x80 : 0) | rsv | op);
        int m = masked ? 0x80 : 0;
        if (payload.length < 126) {
            b.write(m | payload.length);
        } else {
            b.write(m | 126);
            b.write(payload.length >>> 8);
            b.write(payload.length & 0xFF);
        }
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        if (masked) {
            b.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            b.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return b.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
