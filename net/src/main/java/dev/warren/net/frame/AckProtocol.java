package dev.warren.net.frame;

import java.nio.ByteBuffer;

/**
 * The small acknowledgement protocol between a {@link MessageClient} in
 * {@link DeliveryMode#AT_LEAST_ONCE} mode and a {@link MessageServer}.
 *
 * <p>Plain peers never see it: a connection stays plain (BuffStreams-compatible payloads in both
 * directions) unless its very first frame from the client is exactly the 16-byte hello ({@link #hello()}). After a HELLO:
 *
 * <ul>
 *   <li>client to server: plain frames, one message each, as before;
 *   <li>server to client: every payload starts with a type byte, {@link #TYPE_MESSAGE} followed by a
 *       reply's bytes, or {@link #TYPE_ACK} followed by an 8-byte big-endian count: the number of the
 *       client's messages on this connection that the server's handler has returned from
 *       (cumulative). The server answers the HELLO with an ack of 0 and then acks whenever it is about
 *       to wait for more input, so one ack covers every message of a read.
 * </ul>
 */
final class AckProtocol {
    private AckProtocol() {}

    /** The first frame of an at-least-once client: 16 bytes no ordinary message is likely to start with. */
    private static final byte[] HELLO_BYTES = {
        0x00, 'W', 'R', 'N', '-', 'A', 'C', 'K', '-', 'V', '1', 0x00, (byte) 0xA5, 0x5A, (byte) 0xC3, 0x3C
    };

    static final int HELLO_SIZE = HELLO_BYTES.length;
    static final byte TYPE_MESSAGE = 0;
    static final byte TYPE_ACK = 1;
    /** Type byte plus the 8-byte count. */
    static final int ACK_SIZE = 9;

    static byte[] hello() {
        return HELLO_BYTES.clone();
    }

    static boolean isHello(ByteBuffer payload) {
        return payload.remaining() == HELLO_SIZE && payload.equals(ByteBuffer.wrap(HELLO_BYTES));
    }

    static void putAck(long count, byte[] dst, int offset) {
        dst[offset] = TYPE_ACK;
        for (int i = 0; i < 8; i++) {
            dst[offset + 1 + i] = (byte) (count >>> (56 - 8 * i));
        }
    }

    /** The count of an ack payload (type byte at its position). */
    static long ackCount(ByteBuffer payload) {
        return payload.getLong(payload.position() + 1);
    }
}
