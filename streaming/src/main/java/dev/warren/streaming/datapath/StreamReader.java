package dev.warren.streaming.datapath;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A reader of an exported stream ({@code (…,export,name=mybuf)}), with its own cursor: Streamline's
 * {@code read_stream}, {@code peek_stream} and {@code check_stream}. Opened by {@link Streams#open}.
 *
 * <pre>{@code
 * try (StreamReader r = Streams.open("mybuf")) {
 *     byte[] buf = new byte[65536];
 *     for (int n; (n = r.read(buf, 0, buf.length)) >= 0; ) out.write(buf, 0, n);   // copies, blocks
 * }
 * }</pre>
 *
 * <p><b>Blocks.</b> The stream keeps the blocks of the exporting stage in a bounded ring. {@link #read}
 * copies the bytes of one block at most per call (what does not fit is returned by the next call), as
 * POSIX {@code read} does on a stream; {@link #peek} returns the next block whole as a view into the
 * ring, without copying.
 *
 * <p><b>Overruns.</b> The datapath never waits for a reader: when it has written a whole ring's worth
 * of blocks since the reader's cursor, the oldest are overwritten. The reader then skips to the oldest
 * block still in the ring, counts an {@linkplain #overruns() overrun} and the {@linkplain #skippedBytes()
 * bytes} it lost, and goes on. A view from {@link #peek} may be overwritten while the caller looks at
 * it; {@link #check(long)} says when that may have happened (Streamline's contract):
 *
 * <pre>{@code
 * long stamp = r.check(-1);                        // a first stamp
 * for (ByteBuffer block; (block = r.peek()) != null; ) {
 *     process(block);                              // no copy
 *     stamp = r.check(stamp);
 *     if (stamp < 0) { discardWhatWasProcessed(); stamp = r.check(-1); }   // may have been overwritten
 * }
 * }</pre>
 *
 * <p><b>End.</b> When the exporting stage's input ends or the datapath closes, a reader gets what is
 * still in the ring, then the end: {@code read} returns -1, {@code peek} null.
 *
 * <p><b>Threading.</b> One tasklet at a time per reader (many readers per stream, on any tasklets).
 * {@code read} and {@code peek} block until a block arrives or the stream ends (the timed forms at most
 * the timeout); the others never block. {@link #close()} detaches the reader.
 */
public interface StreamReader extends AutoCloseable {

    /** The stream's name. */
    String name();

    /**
     * Copies up to {@code length} bytes of the next block into {@code dst}, waiting for one.
     *
     * @return the number of bytes copied ({@code >= 1}; empty blocks are skipped), or -1 at the end of
     *     the stream
     * @throws InterruptedException if interrupted while waiting
     */
    int read(byte[] dst, int offset, int length) throws InterruptedException;

    /**
     * Like {@link #read(byte[], int, int)}, waiting at most {@code timeout}.
     *
     * @return the number of bytes copied, -1 at the end of the stream, or 0 if the timeout passed first
     */
    int read(byte[] dst, int offset, int length, Duration timeout) throws InterruptedException;

    /**
     * The next block (the rest of it after a partial {@code read}) as a read-only view into the ring, waiting
     * for one; null at the end of the stream. The same buffer object is reused by the next peek. The bytes
     * may be overwritten while you look at them: see {@link #check(long)}.
     */
    ByteBuffer peek() throws InterruptedException;

    /** Like {@link #peek()}, waiting at most {@code timeout}: null at the end or when it passed ({@link #isEnded()} tells which). */
    ByteBuffer peek(Duration timeout) throws InterruptedException;

    /**
     * Streamline's {@code check_stream}: with {@code -1}, a first stamp; with a stamp, {@code -1} if data
     * accessed since that stamp was obtained may have been overwritten, otherwise a new stamp ({@code >= 1}).
     *
     * @throws IllegalArgumentException for a stamp that is neither -1 nor one this method returned
     */
    long check(long stamp);

    /** Whether the stream has ended and this reader has read everything. */
    boolean isEnded();

    /** How many times this reader fell behind by a whole ring and skipped ahead. */
    long overruns();

    /** The bytes (headers included) this reader skipped over at overruns. */
    long skippedBytes();

    /** Detaches the reader; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    void close();
}
