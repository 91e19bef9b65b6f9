package dev.warren.streaming.window;

/**
 * Writes an aggregator's accumulator as text and reads it back, so that a job's open windows can go to a
 * changelog ({@link dev.warren.streaming.StreamJob#checkpoint}) and be restored in another process. The
 * built-in {@link Aggregators} implement it; give your own aggregator one with {@link
 * Aggregators#withCodec}.
 *
 * <p>{@code decode(encode(a))} must merge like {@code a}. The text must not contain a line break.
 * Called from the job's shard tasklets, several at once: implementations must be thread-safe.
 *
 * @param <A> the accumulator type
 */
public interface AccumulatorCodec<A> {

    /** {@code acc} as one line of text; must not change {@code acc}. */
    String encode(A acc);

    /**
     * The accumulator {@code text} was made from.
     *
     * @throws IllegalArgumentException naming the text if it is not one this codec wrote
     */
    A decode(String text);
}
