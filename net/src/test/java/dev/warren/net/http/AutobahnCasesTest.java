package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases of the Autobahn WebSocket test suite (fuzzingclient, against an echo server) that a raw
 * socket can play, as a table: sections 1 (framing), 2 (pings and pongs), 3 (reserved bits), 4 (opcodes),
 * 5 (fragmentation), 6 (UTF-8), 7 (closing) and 12/13 (permessage-deflate). Each case sends its frames,
 * optionally chopped into small TCP writes, then expects exactly the frames Autobahn's expectation lists
 * and either the server's close code or (when the connection should stay open) an answer to a normal
 * close. The case numbers are Autobahn's.
 */
class AutobahnCasesTest {
    private static HttpServer server;

    @BeforeAll
    static void start() {
        WebSocketHandler echo = WsFrames.echo();
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .handler(Router.builder()
                        .websocket(
                                "/echo",
                                WebSocketOptions.builder()
                                        .maxMessageBytes(16 << 20)
                                        .build(),
                                echo)
                        .websocket(
                                "/deflate",
                                WebSocketOptions.builder()
                                        .maxMessageBytes(16 << 20)
                                        .permessageDeflate(true)
                                        .compressionThreshold(Integer.MAX_VALUE) // answers plain: easy to compare
                                        .build(),
                                echo)
                        .build())
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A frame the server is expected to send: opcode and payload. */
    record Frame(int op, ByteBuffer data) {
        Frame(int op, byte[] payload) {
            this(op, ByteBuffer.wrap(payload).asReadOnlyBuffer());
        }

        byte[] payload() {
            byte[] b = new byte[data.remaining()];
            data.duplicate().get(b);
            return b;
        }

        @Override
        public String toString() {
            return "op " + op + " (" + data.remaining() + " bytes)";
        }
    }

    /**
     * One case: what the client sends ({@code chop} > 0 writes it that many bytes at a time), the frames
     * the server must answer with, and its close code (0: the connection stays open).
     */
    record Case(String id, String path, ByteBuffer sent, int chop, List<Frame> expect, int closeCode) {
        Case(String id, String path, byte[] send, int chop, List<Frame> expect, int closeCode) {
            this(id, path, ByteBuffer.wrap(send).asReadOnlyBuffer(), chop, expect, closeCode);
        }

        byte[] send() {
            byte[] b = new byte[sent.remaining()];
            sent.duplicate().get(b);
            return b;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    // ---------------------------------------------------------------- building frames

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    static byte[] frame(boolean fin, int rsv, int op, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((fin ? 0x80 : 0) | rsv << 4 | op);
        if (payload.length < 126) {
            b.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            b.write(0x80 | 126);
            b.write(payload.length >>> 8);
            b.write(payload.length & 0xFF);
        } else {
            b.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                b.write((int) ((long) payload.length >>> (8 * i)) & 0xFF);
            }
        }
        b.writeBytes(MASK);
        for (int i = 0; i < payload.length; i++) {
            b.write(payload[i] ^ MASK[i & 3]);
        }
        return b.toByteArray();
    }

    static byte[] frame(int op, byte[] payload) {
        return frame(true, 0, op, payload);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] close(int code, String reason) {
        return cat(new byte[] {(byte) (code >>> 8), (byte) code}, text(reason));
    }

    static Frame t(byte[] payload) {
        return new Frame(1, payload);
    }

    static Frame bin(byte[] payload) {
        return new Frame(2, payload);
    }

    static Frame pong(byte[] payload) {
        return new Frame(10, payload);
    }

    static Case open(String id, byte[] send, Frame... expect) {
        return new Case(id, "/echo", send, 0, List.of(expect), 0);
    }

    static Case closes(String id, int code, byte[] send, Frame... expect) {
        return new Case(id, "/echo", send, 0, List.of(expect), code);
    }

    static Case chopped(Case c, int chop) {
        return new Case(c.id(), c.path(), c.sent(), chop, c.expect(), c.closeCode());
    }

    static Case deflate(Case c) {
        return new Case(c.id(), "/deflate", c.sent(), c.chop(), c.expect(), c.closeCode());
    }

    /** A message compressed as a permessage-deflate sender would (sync flush, tail removed). */
    static byte[] deflated(byte[] message, boolean keepContext, Deflater d) {
        d.setInput(message);
        byte[] out = new byte[message.length + 1024];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        if (!keepContext) {
            d.reset();
        }
        return Arrays.copyOf(out, n - 4);
    }

    // ---------------------------------------------------------------- the cases

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        // 1.1 / 1.2: text and binary of the lengths around each length encoding, and one sent in chops
        int[] sizes = {0, 125, 126, 127, 128, 65535, 65536};
        for (int i = 0; i < sizes.length; i++) {
            byte[] p = bytes(sizes[i], '*');
            cs.add(open("1.1." + (i + 1), frame(1, p), t(p)));
            byte[] q = bytes(sizes[i], 0xfe);
            cs.add(open("1.2." + (i + 1), frame(2, q), bin(q)));
        }
        cs.add(chopped(open("1.1.8", frame(1, bytes(65536, '*')), t(bytes(65536, '*'))), 997));
        cs.add(chopped(open("1.2.8", frame(2, bytes(65536, 0xfe)), bin(bytes(65536, 0xfe))), 997));
        // 2: pings and pongs
        cs.add(open("2.1", frame(9, new byte[0]), pong(new byte[0])));
        cs.add(open("2.2", frame(9, text("Hello, world!")), pong(text("Hello, world!"))));
        cs.add(open("2.3", frame(9, hex("00ff fe fd fc fb 00 ff")), pong(hex("00ff fe fd fc fb 00 ff"))));
        cs.add(open("2.4", frame(9, bytes(125, 0xfe)), pong(bytes(125, 0xfe))));
        cs.add(closes("2.5", 1002, frame(9, bytes(126, 0xfe))));
        cs.add(chopped(open("2.6", frame(9, bytes(125, 0xfe)), pong(bytes(125, 0xfe))), 1));
        cs.add(open("2.7", frame(10, new byte[0])));
        cs.add(open("2.8", frame(10, text("unsolicited pong payload"))));
        cs.add(open(
                "2.9",
                cat(frame(10, text("unsolicited pong payload")), frame(9, text("ping payload"))),
                pong(text("ping payload"))));
        byte[] tenPings = new byte[0];
        Frame[] tenPongs = new Frame[10];
        for (int i = 0; i < 10; i++) {
            tenPings = cat(tenPings, frame(9, text("payload-" + i)));
            tenPongs[i] = pong(text("payload-" + i));
        }
        cs.add(open("2.10", tenPings, tenPongs));
        cs.add(chopped(open("2.11", tenPings, tenPongs), 1));
        // 3: reserved bits (no extension agreed on /echo)
        cs.add(closes("3.1", 1002, frame(true, 1, 1, text("Hello, world!"))));
        cs.add(closes(
                "3.2",
                1002,
                cat(frame(1, text("small")), frame(true, 2, 1, text("small")), frame(9, new byte[0])),
                t(text("small"))));
        cs.add(closes(
                "3.3",
                1002,
                cat(frame(1, text("small")), frame(true, 3, 1, text("small")), frame(9, new byte[0])),
                t(text("small"))));
        cs.add(closes(
                "3.4",
                1002,
                cat(frame(1, text("small")), frame(true, 4, 1, text("small")), frame(9, new byte[0])),
                t(text("small"))));
        cs.add(closes("3.5", 1002, frame(true, 5, 2, hex("00ff fe fd"))));
        cs.add(closes("3.6", 1002, frame(true, 6, 9, text("Hello"))));
        cs.add(closes("3.7", 1002, frame(true, 7, 8, close(1000, ""))));
        // 4: reserved opcodes, data (3-7) and control (11-15), alone and after a good message
        for (int op = 3; op <= 7; op++) {
            cs.add(closes(
                    "4.1." + (op - 2), 1002, cat(frame(1, text("Hello")), frame(op, new byte[0])), t(text("Hello"))));
        }
        for (int op = 11; op <= 15; op++) {
            cs.add(closes(
                    "4.2." + (op - 10),
                    1002,
                    cat(frame(1, text("Hello")), frame(op, text("reserved"))),
                    t(text("Hello"))));
        }
        // 5: fragmentation
        cs.add(closes("5.1", 1002, cat(frame(false, 0, 9, text("frag1")), frame(true, 0, 0, text("frag2")))));
        cs.add(closes("5.2", 1002, cat(frame(false, 0, 10, text("frag1")), frame(true, 0, 0, text("frag2")))));
        byte[] twoFragments = cat(frame(false, 0, 1, text("fragment1")), frame(true, 0, 0, text("fragment2")));
        cs.add(open("5.3", twoFragments, t(text("fragment1fragment2"))));
        cs.add(chopped(open("5.4", twoFragments, t(text("fragment1fragment2"))), 1));
        byte[] pingBetween = cat(
                frame(false, 0, 1, text("fragment1")),
                frame(9, text("ping payload")),
                frame(true, 0, 0, text("fragment2")));
        cs.add(open("5.6", pingBetween, pong(text("ping payload")), t(text("fragment1fragment2"))));
        cs.add(chopped(open("5.7", pingBetween, pong(text("ping payload")), t(text("fragment1fragment2"))), 1));
        byte[] many = new byte[0];
        StringBuilder whole = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many = cat(many, frame(i == 99, 0, i == 0 ? 1 : 0, text("f" + i)));
            whole.append("f").append(i);
        }
        cs.add(open("5.8-like (100 fragments)", many, t(text(whole.toString()))));
        cs.add(closes("5.9", 1002, cat(frame(true, 0, 0, text("non-continuation payload")), frame(1, text("Hello")))));
        cs.add(closes(
                "5.12", 1002, cat(frame(false, 0, 0, text("non-continuation payload")), frame(1, text("Hello")))));
        cs.add(closes(
                "5.15",
                1002,
                cat(
                        frame(false, 0, 1, text("fragment1")),
                        frame(true, 0, 0, text("fragment2")),
                        frame(false, 0, 0, text("fragment3")),
                        frame(true, 0, 0, text("fragment4"))),
                t(text("fragment1fragment2"))));
        cs.add(closes("5.17", 1002, cat(frame(true, 0, 0, text("fragment1")), frame(true, 0, 1, text("fragment2")))));
        cs.add(closes("5.18", 1002, cat(frame(false, 0, 1, text("fragment1")), frame(true, 0, 1, text("fragment2")))));
        cs.add(open(
                "5.19",
                cat(
                        frame(false, 0, 1, text("fragment1")),
                        frame(false, 0, 0, text("fragment2")),
                        frame(9, text("pongme 1!")),
                        frame(false, 0, 0, text("fragment3")),
                        frame(9, text("pongme 2!")),
                        frame(true, 0, 0, text("fragment4"))),
                pong(text("pongme 1!")),
                pong(text("pongme 2!")),
                t(text("fragment1fragment2fragment3fragment4"))));
        // 6: UTF-8
        cs.add(open("6.1.1", frame(1, new byte[0]), t(new byte[0])));
        cs.add(open(
                "6.1.2",
                cat(frame(false, 0, 1, new byte[0]), frame(false, 0, 0, new byte[0]), frame(true, 0, 0, new byte[0])),
                t(new byte[0])));
        byte[] hello = hex("cebae1bdb9cf83cebcceb5 7c 68656c6c6f 2d 2d 2e");
        cs.add(open("6.2.1", frame(1, hello), t(hello)));
        cs.add(open(
                "6.2.2",
                cat(
                        frame(false, 0, 1, Arrays.copyOf(hello, 5)),
                        frame(true, 0, 0, Arrays.copyOfRange(hello, 5, hello.length))),
                t(hello)));
        byte[] oneByEach = new byte[0];
        for (int i = 0; i < hello.length; i++) {
            oneByEach = cat(oneByEach, frame(i == hello.length - 1, 0, i == 0 ? 1 : 0, new byte[] {hello[i]}));
        }
        cs.add(open("6.2.4", oneByEach, t(hello)));
        cs.add(closes("6.3.1", 1007, frame(1, hex("cebae1bdb9cf83cebcceb5eda080656469746564"))));
        String[] valid = {"f0908080", "f48fbfbf", "efbfbf", "ee8080", "ed9fbf", "dfbf", "c280", "7f", "00", "efbbbf"};
        for (int i = 0; i < valid.length; i++) {
            cs.add(open("6.x valid " + valid[i], frame(1, hex(valid[i])), t(hex(valid[i]))));
        }
        String[] invalid = {
            "f888808080",
            "fc8480808080",
            "f7bfbfbf",
            "80",
            "bf",
            "80bf",
            "c0",
            "e080",
            "f08080",
            "c0af",
            "e080af",
            "f08080af",
            "c1bf",
            "e09fbf",
            "f08fbfbf",
            "eda080",
            "edbfbf",
            "eda080edb080",
            "fe",
            "ff",
            "fefeffff",
            "c020",
            "e0a020",
            "cebae1bdb9cf83cebcceb5f4908080656469746564"
        };
        for (String bad : invalid) {
            cs.add(closes("6.x invalid " + bad, 1007, frame(1, hex(bad))));
        }
        cs.add(closes(
                "6.4-like (invalid across fragments)",
                1007,
                cat(
                        frame(false, 0, 1, hex("cebae1bdb9cf83cebcceb5f4")),
                        frame(true, 0, 0, hex("90808065646974656420")))));
        // 7: closing
        cs.add(closes(
                "7.1.1",
                1000,
                cat(frame(1, text("Hello World!")), frame(8, close(1000, ""))),
                t(text("Hello World!"))));
        cs.add(closes("7.1.2", 1000, cat(frame(8, close(1000, "")), frame(8, close(1000, "")))));
        cs.add(closes("7.1.3", 1000, cat(frame(8, close(1000, "")), frame(9, text("ping")))));
        cs.add(closes("7.1.4", 1000, cat(frame(8, close(1000, "")), frame(1, text("after close")))));
        cs.add(closes(
                "7.1.5",
                1000,
                cat(
                        frame(false, 0, 1, text("fragment1")),
                        frame(8, close(1000, "")),
                        frame(true, 0, 0, text("fragment2")))));
        cs.add(closes(
                "7.1.6",
                1000,
                cat(
                        frame(1, bytes(256 * 1024, 'B')),
                        frame(1, text("Hello World!")),
                        frame(8, close(1000, "")),
                        frame(9, text("ping"))),
                t(bytes(256 * 1024, 'B')),
                t(text("Hello World!"))));
        cs.add(closes("7.3.1", 1000, frame(8, new byte[0])));
        cs.add(closes("7.3.2", 1002, frame(8, new byte[] {0x03})));
        cs.add(closes("7.3.3", 1000, frame(8, close(1000, ""))));
        cs.add(closes("7.3.4", 1000, frame(8, close(1000, "Hello World!"))));
        cs.add(closes("7.3.5", 1000, frame(8, close(1000, "*".repeat(123)))));
        cs.add(closes("7.3.6", 1002, frame(8, close(1000, "*".repeat(124)))));
        cs.add(closes("7.5.1", 1007, frame(8, cat(close(1000, ""), hex("cebae1bdb9cf83cebcceb5eda080656469746564")))));
        int[] validCodes = {
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999
        };
        for (int i = 0; i < validCodes.length; i++) {
            cs.add(closes(
                    "7.7." + (i + 1) + " (" + validCodes[i] + ")", validCodes[i], frame(8, close(validCodes[i], ""))));
        }
        int[] invalidCodes = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
        for (int i = 0; i < invalidCodes.length; i++) {
            cs.add(closes("7.9." + (i + 1) + " (" + invalidCodes[i] + ")", 1002, frame(8, close(invalidCodes[i], ""))));
        }
        // 12 / 13: permessage-deflate, the client compressing (the server answers plain on this route)
        int[] deflateSizes = {16, 64, 256, 1024, 4096, 8192, 65536, 131072};
        for (int i = 0; i < deflateSizes.length; i++) {
            byte[] m = new byte[deflateSizes[i]];
            for (int j = 0; j < m.length; j++) {
                m[j] = (byte) ('a' + (j * 7 + j / 13) % 26);
            }
            Deflater keep = new Deflater(Deflater.DEFAULT_COMPRESSION, true); // one per connection
            byte[] sends = new byte[0];
            Frame[] echoes = new Frame[3];
            for (int k = 0; k < 3; k++) {
                sends = cat(sends, frame(true, 4, 1, deflated(m, true, keep))); // context carried over
                echoes[k] = t(m);
            }
            keep.end();
            cs.add(deflate(open("12.1." + (i + 1) + " (" + m.length + " bytes, context takeover)", sends, echoes)));
        }
        Deflater fresh = new Deflater(Deflater.BEST_SPEED, true);
        byte[] json = text("{\"id\": 42, \"name\": \"tasklet\", \"tags\": [\"a\", \"b\", \"c\"]}".repeat(50));
        cs.add(deflate(open(
                "13.1.1 (no context takeover)",
                cat(frame(true, 4, 1, deflated(json, false, fresh)), frame(true, 4, 1, deflated(json, false, fresh))),
                t(json),
                t(json))));
        fresh.end();
        return cs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autobahnCase(Case c) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            handshake(s, c.path());
            OutputStream out = s.getOutputStream();
            byte[] send = c.send();
            if (c.chop() <= 0) {
                out.write(send);
                out.flush();
            } else {
                for (int i = 0; i < send.length; i += c.chop()) {
                    out.write(send, i, Math.min(c.chop(), send.length - i));
                    out.flush();
                }
            }
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (Frame want : c.expect()) {
                Frame got = read(in);
                assertEquals(want.op(), got.op(), c.id() + ": expected " + want + ", got " + got + " " + text(got));
                assertArrayEquals(want.payload(), got.payload(), c.id() + ": payload of " + want);
            }
            if (c.closeCode() == 0) {
                out.write(frame(8, close(1000, "")));
                out.flush();
            }
            Frame last = read(in);
            assertEquals(8, last.op(), c.id() + ": expected the server's close, got " + last + " " + text(last));
            int code = last.payload().length >= 2 ? (last.payload()[0] & 0xFF) << 8 | (last.payload()[1] & 0xFF) : 1005;
            assertEquals(c.closeCode() == 0 ? 1000 : c.closeCode(), code, c.id() + ": close code");
            // after its close frame the server closes the TCP connection
            try {
                int after = in.read();
                assertEquals(-1, after, c.id() + ": nothing after the close frame");
            } catch (SocketTimeoutException e) {
                fail(c.id() + ": the server kept the connection open after its close frame");
            } catch (IOException e) {
                // a reset after the close frame: the connection is gone, as it should be
            }
        }
    }

    private static String text(Frame f) {
        return f.payload().length > 60 ? "" : "'" + new String(f.payload(), StandardCharsets.UTF_8) + "'";
    }

    private static void handshake(Socket s, String path) throws IOException {
        s.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + (path.equals("/deflate") ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "")
                                + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        String head = WsFrames.readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 101 ")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    private static Frame read(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        assertEquals(0, b1 & 0x80, "a server never masks");
        assertEquals(0x80, b0 & 0x80, "this server never fragments what it sends");
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] p = new byte[(int) len];
        in.readFully(p);
        return new Frame(b0 & 0x0F, p);
    }
}
