package dev.warren.streaming;

/**
 * What travels in a shard's inbox: an event with its key and time ({@link Event}), a watermark broadcast
 * ({@link Watermark}: event time, or the time of a manual processing-time clock that moved), a lane's
 * reset ({@link LaneReset}), a request to drop keys ({@link Discard}).
 */
final class Rec {
    private Rec() {}

    /**
     * One event; {@code wm} is its lane's watermark when it was emitted (event time), or {@code ts};
     * {@code lane} 0 is the job's own watermark, others are a {@link LaneEmitter}'s.
     */
    record Event(Object key, Object event, long ts, long wm, int lane) {}

    /** Several events for one shard, in emit order, as one inbox message. */
    // An array on purpose: the shard walks it once; no copying, and a Batch is never compared.
    @SuppressWarnings("ArrayRecordComponent")
    record Batch(Event[] events) {}

    /**
     * A lane's event-time watermark (lane 0: the job's), sent in band so it never overtakes earlier
     * events of a source.
     */
    record Watermark(long wm, int lane) {}

    /**
     * A lane's clock goes back to the beginning ({@link LaneEmitter#reset}): its watermark and close
     * limit to {@link Long#MIN_VALUE}, in band, after the lane's earlier events.
     */
    record LaneReset(int lane) {}

    /**
     * A request that every shard drop the keys {@code keys} accepts ({@link StreamJob#discard}), sent in
     * band so that it comes after the events emitted before it. Each shard adds what it dropped to
     * {@code dropped} and counts {@code done} down once; a job that ends first counts it down to zero
     * with {@code abandoned} set, so the caller never waits for a shard that will not answer.
     */
    record Discard(
            java.util.function.Predicate<Object> keys,
            java.util.concurrent.CountDownLatch done,
            java.util.concurrent.atomic.AtomicLong dropped,
            java.util.concurrent.atomic.AtomicBoolean abandoned)
            implements Request {}

    /** A request every shard answers by counting {@code done} down; one the job's end leaves unanswered is abandoned. */
    interface Request {
        java.util.concurrent.CountDownLatch done();

        java.util.concurrent.atomic.AtomicBoolean abandoned();

        /** The job ended first: counts {@code done} to zero with {@code abandoned} set, so no caller waits forever. */
        default void abandon() {
            abandoned().set(true);
            while (done().getCount() > 0) {
                done().countDown();
            }
        }
    }

    /**
     * A checkpoint ({@link StreamJob#checkpoint}): each shard flushes its sinks, hands every key changed
     * since its last checkpoint to {@code writer}, clears {@code ok} if any of that failed, and counts
     * {@code done} down; the job's end abandons it as a {@link Discard}.
     */
    record Checkpoint(
            ChangelogWriter writer,
            java.util.concurrent.CountDownLatch done,
            java.util.concurrent.atomic.AtomicBoolean ok,
            java.util.concurrent.atomic.AtomicBoolean abandoned)
            implements Request {}

    /**
     * Keys' windows from a changelog ({@link StreamJob#restore}), for one shard, in order: each state
     * (null: none) replaces the shard's state for its key.
     */
    // Arrays on purpose, as Batch: walked once, never compared.
    @SuppressWarnings("ArrayRecordComponent")
    record Restore(int lane, Object[] keys, String[] states) {}

    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    static long sub(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) {
            return b > 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
