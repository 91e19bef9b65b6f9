package dev.warren.tasklets;

/**
 * What {@link Channel#send} does when the channel is full.
 *
 * <p>The policy is fixed when the channel is built ({@link Channel.Builder#overflow}). Every value a
 * policy discards or refuses is counted ({@link Channel#droppedCount()}, {@link Channel#rejectedCount()}),
 * never lost silently.
 */
public enum OverflowPolicy {
    /** The default: the sender waits until a receiver makes room (backpressure). */
    BLOCK,
    /** The value being sent is discarded and counted as dropped; {@code send} returns normally. */
    DROP_NEWEST,
    /** The oldest queued value is evicted and counted as dropped to make room for the new one. */
    DROP_OLDEST,
    /** {@code send} throws {@link ChannelFullException}; the refusal is counted as rejected. */
    FAIL
}
