package dev.warren.net.frame;

import static dev.warren.net.frame.MsgTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.Connection;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageServerTest {
    private MessageServer server;
    private String name;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
            MsgTesting.assertNoTaskletNamed(name);
        }
    }

    private MessageServer start(FrameFormat format, MessageHandler handler) {
        name = MsgTesting.unique("msg-server-test");
        server = MsgTesting.local(name).format(format).handler(handler).start();
        return server;
    }

    /** Sends {@code payloads} as plain frames and reads as many replies. */
    private static List<byte[]> exchange(MessageServer s, List<byte[]> payloads) throws Exception {
        try (Connection c = MsgTesting.rawConnect(s)) {
            // written by another tasklet: replies must be read while we send, or both sides stall
            Tasklet<Void> writer = Tasklets.start("test writer", () -> {
                FrameWriter w = FrameWriter.of(c.outputStream(), s.format());
                for (byte[] p : payloads) {
                    w.write(p);
                }
                w.flush();
            });
            FrameReader r = FrameReader.of(c.inputStream(), s.format());
            List<byte[]> back = new ArrayList<>();
            for (int i = 0; i < payloads.size(); i++) {
                back.add(r.read());
            }
            writer.join();
            return back;
        }
    }

    private static void assertServesAGoodClient(MessageServer s) throws Exception {
        List<byte[]> sent = List.of(Frames.payload(110, 1), Frames.payload(0, 0), Frames.payload(4000, 7));
        List<byte[]> back = exchange(s, sent);
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), back.get(i), "reply " + i);
        }
    }

    @Test
    void echoesPlainBuffStreamsFramesByteForByte() throws Exception {
        start(FrameFormat.buffStreams(4096), MsgTesting.ECHO);
        try (Connection c = MsgTesting.rawConnect(server)) {
            // hand-written: a 110-byte payload has the header DC 01 00
            byte[] payload = Frames.payload(110, 3);
            c.write(Frames.hex("DC 01 00")).write(payload).flush();
            byte[] header = new byte[3];
            c.readFully(header, 0, 3);
            assertEquals("DC 01 00", Frames.hex(header));
            byte[] back = new byte[110];
            c.readFully(back, 0, 110);
            assertArrayEquals(payload, back);
        }
        await().atMost(WAIT).until(() -> server.stats().messagesOut() == 1);
        MessageServerStats st = server.stats();
        assertEquals(1, st.messagesIn());
        assertEquals(0, st.acksOut());
    }

    @Test
    void pipelinedMessagesAreAllAnsweredInOrderInBothFormats() throws Exception {
        for (FrameFormat f : List.of(FrameFormat.buffStreams(70_000), FrameFormat.fixed32(70_000))) {
            start(f, MsgTesting.ECHO);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                sent.add(Frames.payload(i % 7 == 0 ? 66_000 : i % 300, i)); // some larger than the read buffer
            }
            List<byte[]> back = exchange(server, sent);
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), back.get(i), f + " reply " + i);
            }
            await().atMost(WAIT).until(() -> server.stats().messagesIn() == 3000);
            assertEquals(3000, server.stats().messagesOut());
            server.close();
            MsgTesting.assertNoTaskletNamed(name);
            server = null;
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of(
                        "buffstreams length above the maximum",
                        FrameFormat.buffStreams(4096),
                        Frames.hex("82 40 00"), // 4097
                        FrameException.Reason.TOO_LARGE),
                Arguments.of(
                        "buffstreams negative length",
                        FrameFormat.buffStreams(4096),
                        Frames.hex("01 00 00"),
                        FrameException.Reason.NEGATIVE_LENGTH),
                Arguments.of(
                        "buffstreams varint not ending in the header",
                        FrameFormat.buffStreams(4096),
                        Frames.hex("80 80 80 01"),
                        FrameException.Reason.MALFORMED_HEADER),
                Arguments.of(
                        "buffstreams end inside the header",
                        FrameFormat.buffStreams(4096),
                        Frames.hex("DC"),
                        FrameException.Reason.TRUNCATED),
                Arguments.of(
                        "buffstreams end inside the payload",
                        FrameFormat.buffStreams(4096),
                        Frames.hex("DC 01 00 01 02 03"),
                        FrameException.Reason.TRUNCATED),
                Arguments.of(
                        "fixed32 length above the maximum",
                        FrameFormat.fixed32(4096),
                        Frames.hex("00 00 10 01"),
                        FrameException.Reason.TOO_LARGE),
                // read unsigned, as Netty does: a set top bit is a length above 2^31, not a negative one
                Arguments.of(
                        "fixed32 top bit set",
                        FrameFormat.fixed32(4096),
                        Frames.hex("FF FF FF FE"),
                        FrameException.Reason.TOO_LARGE),
                Arguments.of(
                        "fixed32 end inside the payload",
                        FrameFormat.fixed32(4096),
                        Frames.hex("00 00 00 6E 01 02"),
                        FrameException.Reason.TRUNCATED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void aBadFrameClosesOnlyItsConnectionWithACountedReason(
            String what, FrameFormat format, byte[] bad, FrameException.Reason reason) throws Exception {
        start(format, MsgTesting.ECHO);
        // A well-behaved client is connected (and has talked) before and stays connected throughout.
        try (Connection good = MsgTesting.rawConnect(server)) {
            FrameWriter gw = FrameWriter.of(good.outputStream(), format);
            FrameReader gr = FrameReader.of(good.inputStream(), format);
            gw.write(Frames.payload(10, 1));
            gw.flush();
            assertArrayEquals(Frames.payload(10, 1), gr.read());

            try (Connection evil = MsgTesting.rawConnect(server)) {
                // one good message first: the bad frame comes mid-stream
                FrameWriter ew = FrameWriter.of(evil.outputStream(), format);
                ew.write(Frames.payload(5, 2));
                ew.flush();
                FrameReader er = FrameReader.of(evil.inputStream(), format);
                assertArrayEquals(Frames.payload(5, 2), er.read());
                evil.write(bad).flush();
                if (reason == FrameException.Reason.TRUNCATED) {
                    // the peer ends mid-frame: everything was flushed, so this close is a plain FIN
                    evil.abort();
                } else {
                    assertServerClosed(evil);
                }
            }
            await().atMost(WAIT).until(() -> server.stats().badFrames(reason) == 1);
            MessageServerStats st = server.stats();
            await().atMost(WAIT).until(() -> server.stats().tcp().closed(CloseReason.PROTOCOL_ERROR) == 1);
            assertEquals(
                    1,
                    st.badFrames().values().stream().mapToLong(Long::longValue).sum(),
                    st.toString());

            // the connection that was open all along still works
            gw.write(Frames.payload(20, 3));
            gw.flush();
            assertArrayEquals(Frames.payload(20, 3), gr.read());
        }
        // and a new client is served
        assertServesAGoodClient(server);
        assertEquals(1, server.stats().tcp().closed(CloseReason.PROTOCOL_ERROR));
    }

    private static void assertServerClosed(Connection c) {
        try {
            assertEquals(-1, c.readByte(), "the server should have closed the connection");
        } catch (IOException reset) {
            // a reset is a close too (the server may close with our bytes unread)
        }
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        start(FrameFormat.buffStreams(4096), (conn, payload) -> {
            if (payload.remaining() == 13) {
                throw new IllegalStateException("handler bug on purpose");
            }
            conn.reply(payload);
        });
        try (Connection c = MsgTesting.rawConnect(server)) {
            FrameWriter w = FrameWriter.of(c.outputStream(), server.format());
            w.write(new byte[13]);
            w.flush();
            assertServerClosed(c);
        }
        await().atMost(WAIT).until(() -> server.stats().tcp().closed(CloseReason.ERROR) == 1);
        assertServesAGoodClient(server);
    }

    @Test
    void repliesTooLargeForTheFormatAreRejectedWithTheBadValue() throws Exception {
        ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
        start(FrameFormat.buffStreams(100), (conn, payload) -> {
            try {
                conn.reply(new byte[101]);
            } catch (IllegalArgumentException e) {
                seen.add(e);
            }
            conn.reply(payload);
        });
        List<byte[]> back = exchange(server, List.of(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, back.get(0));
        assertTrue(seen.peek().getMessage().contains("101"), seen.toString());
    }

    @Test
    void anAtLeastOnceHelloGetsCumulativeAcks() throws Exception {
        ConcurrentLinkedQueue<Long> handled = new ConcurrentLinkedQueue<>();
        start(FrameFormat.buffStreams(4096), (conn, payload) -> {
            assertTrue(conn.acknowledging());
            handled.add(MsgTesting.check(payload));
            if (payload.getLong(payload.position()) == 2) {
                conn.reply(new byte[] {42});
            }
        });
        try (Connection c = MsgTesting.rawConnect(server)) {
            FrameWriter w = FrameWriter.of(c.outputStream(), server.format());
            FrameReader r = FrameReader.of(c.inputStream(), server.format());
            w.write(AckProtocol.hello());
            w.flush();
            assertEquals(0, ack(r.read()), "the hello is answered with ack 0");
            for (int i = 1; i <= 3; i++) {
                w.write(MsgTesting.message(i, 50));
            }
            w.flush();
            long acked = 0;
            boolean gotReply = false;
            while (acked < 3) {
                byte[] f = r.read();
                if (f[0] == AckProtocol.TYPE_MESSAGE) {
                    assertArrayEquals(new byte[] {AckProtocol.TYPE_MESSAGE, 42}, f);
                    gotReply = true;
                } else {
                    long n = ack(f);
                    assertTrue(n > acked, "acks only grow: " + n + " after " + acked);
                    acked = n;
                }
            }
            assertTrue(gotReply);
        }
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(handled));
        assertTrue(server.stats().acksOut() >= 2);
    }

    private static long ack(byte[] frame) {
        assertEquals(AckProtocol.ACK_SIZE, frame.length);
        assertEquals(AckProtocol.TYPE_ACK, frame[0]);
        return ByteBuffer.wrap(frame, 1, 8).getLong();
    }

    @Test
    void withAcknowledgementsOffTheHelloIsAnOrdinaryMessage() throws Exception {
        name = MsgTesting.unique("msg-server-test");
        server = MsgTesting.local(name)
                .acknowledgements(false)
                .handler(MsgTesting.ECHO)
                .start();
        List<byte[]> back = exchange(server, List.of(AckProtocol.hello()));
        assertArrayEquals(AckProtocol.hello(), back.get(0));
        assertEquals(0, server.stats().acksOut());
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        MessageServer.Builder b = MessageServer.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.port(70000))
                .getMessage()
                .contains("70000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.readBufferSize(10))
                .getMessage()
                .contains("10"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.writeBufferSize(3))
                .getMessage()
                .contains("3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxConnections(-3))
                .getMessage()
                .contains("-3"));
        assertThrows(IllegalStateException.class, b::start);
        assertNull(server);
    }
}
