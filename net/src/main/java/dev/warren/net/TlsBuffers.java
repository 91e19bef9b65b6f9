package dev.warren.net;

import java.nio.ByteBuffer;
import org.jctools.queues.MpmcArrayQueue;

/**
 * The record-sized buffers every {@link TlsTransport} borrows while it wraps or unwraps a record and
 * gives back right after, so that a connection holds none of them while it waits: the process needs
 * about as many as there are records being processed at once (one per carrier, plus writers waiting
 * for a full socket), not three per connection. Netty's {@code SslHandler} does the same with its
 * pooled allocator.
 *
 * <p>A buffer comes back cleared and is handed out again only to a thread that took it from the pool,
 * so no two connections ever see the same buffer at once: a transport gives a buffer back only under
 * the lock of the side (reader or writer) that took it, after the engine and the socket are done with
 * it, and forgets it in the same step. Buffers of another size (an engine that asks for more, such as
 * one that accepts large fragments) are made for the occasion and left to the garbage collector.
 *
 * <p>Thread-safe, lock-free and never blocking: an empty pool allocates, a full one drops.
 */
final class TlsBuffers {
    /**
     * The pooled size: the JDK's largest TLS record (16,384 bytes of data, header, padding and tag:
     * {@code getPacketBufferSize()} is 16,709) with room to spare, so one size serves packets and
     * plaintext alike.
     */
    static final int SIZE = 17 * 1024;

    /** At most this many idle buffers are kept (1 MiB at 17 KiB). */
    private static final int KEPT = 64;

    private static final MpmcArrayQueue<ByteBuffer> POOL = new MpmcArrayQueue<>(KEPT);

    private TlsBuffers() {}

    /** A cleared heap buffer of at least {@code min} bytes, from the pool when the pooled size is enough. */
    static ByteBuffer take(int min) {
        if (min <= SIZE) {
            ByteBuffer b = POOL.relaxedPoll();
            if (b != null) {
                return b;
            }
            return ByteBuffer.allocate(SIZE);
        }
        return ByteBuffer.allocate(min);
    }

    /**
     * Gives {@code b} back; the caller must not touch it afterwards. Null is ignored, and so is a buffer
     * of another size than the pool's.
     */
    static void give(ByteBuffer b) {
        if (b != null && b.capacity() == SIZE && !b.isReadOnly()) {
            b.clear();
            POOL.relaxedOffer(b);
        }
    }

    /** Idle buffers in the pool now (for tests). */
    static int idle() {
        return POOL.size();
    }
}
