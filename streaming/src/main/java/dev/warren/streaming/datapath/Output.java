package dev.warren.streaming.datapath;

/**
 * Where a source (or a stage emitting from a tasklet of its own) pushes blocks: into the stages after
 * it, depth-first, on the calling tasklet.
 *
 * <p><b>Threading.</b> One tasklet at a time per output. {@code emit} returns when the block has gone
 * through the chain after the stage (up to a {@code boundary}, which copies it); it blocks as long as a
 * stage in that chain blocks (a full boundary under the {@code block} policy, a full shard for
 * {@code keyed}). The bytes are the caller's again when it returns, and stages after it may have
 * edited them in place: refill the buffer for every block. Each emit is one unit of
 * {@linkplain dev.warren.tasklets.Fairness fair turns}.
 */
public interface Output {

    /** Emits {@code length} bytes of {@code bytes} from {@code offset} with classification 1. */
    default void emit(byte[] bytes, int offset, int length) throws InterruptedException {
        emit(bytes, offset, length, 1);
    }

    /**
     * Emits a block with {@code classification} (0..65535; 0 is counted and goes nowhere).
     *
     * @throws IllegalStateException once the datapath has stopped this output (it is closing)
     * @throws InterruptedException if the tasklet was interrupted while a stage waited
     */
    void emit(byte[] bytes, int offset, int length, int classification) throws InterruptedException;
}
