package dev.warren.streaming;

/**
 * An entry into an event-time job whose events come in <em>lanes</em>, each with a watermark of its own:
 * the partitions of a Kafka topic, the files of a directory, the devices of a fleet. A key lives in the
 * lane of the event that made its state, and its windows close when <em>that lane's</em> watermark passes
 * them, whatever the others do. So a lane that is behind (replayed from an earlier point after it moved
 * here from another process, or slow to deliver) finds its windows open, where one watermark for the
 * whole job would have closed them and counted its events late. Kafka Streams keeps time per task for the
 * same reason. Made by {@link StreamJob#laneEmitter}; lanes are numbered 1 to {@link #MAX_LANE} (lane 0
 * is the job's own watermark, which the events of its other emitters follow).
 *
 * <p><b>Time.</b> Each lane starts at the beginning of time ({@link Long#MIN_VALUE}). The caller moves it
 * with {@link #advance} (a smaller value is ignored); the events of {@link #emitAll} carry the lane's
 * watermark as it was when they were emitted, so a shard that takes them moves its copy of the lane's
 * time then; {@link #publish} tells every shard the lanes that moved since, so that windows of shards
 * that got no event of the lane close as well. Advance a lane after emitting the events that moved it:
 * an event is late when its windows end at or before its lane's watermark (less the job's grace) when
 * its shard takes it.
 *
 * <p><b>Giving a lane up and taking it back.</b> {@link #reset} sends a lane's clock back to the
 * beginning, on every shard, behind the events emitted before it. A source that hands a lane's keys over
 * ({@link StreamJob#discard}) and is later given the lane again (a Kafka partition that comes back)
 * resets it first, so that the records it replays are not late for the time the lane had before.
 *
 * <p><b>Output.</b> {@link StreamJob#closedThrough(int)} tells, per lane, through which window end the
 * output of the lane's keys is complete; a source acknowledges a lane's input upstream up to there.
 *
 * <p><b>Threading.</b> Not thread-safe: one thread (a source's) owns a lane emitter, and a lane is fed by
 * one emitter. The watermark and reset messages are sent with the inbox's {@code send}, waiting for room
 * whatever the emitter's {@link Backpressure} (there are few of them); events follow the emitter's policy.
 *
 * @param <E> the job's event type
 */
public interface LaneEmitter<E> {
    /** The largest lane number. */
    int MAX_LANE = 65_535;

    /**
     * Routes every event of {@code batch} (already parsed) to its shard, in order, as events of lane
     * {@code lane} carrying the lane's watermark now; as {@link Emitter#emitAll}.
     *
     * @throws IllegalArgumentException if {@code lane} is not in [1, {@link #MAX_LANE}]
     * @throws IllegalStateException if the job is shut down
     * @throws InterruptedException if interrupted while waiting for room; shares not yet delivered were not
     */
    void emitAll(int lane, java.util.List<? extends E> batch) throws InterruptedException;

    /**
     * Moves lane {@code lane}'s watermark to {@code watermark} (a smaller one is ignored); the events
     * emitted from now on carry it, and the next {@link #publish} tells every shard.
     *
     * @throws IllegalArgumentException if {@code lane} is not in [1, {@link #MAX_LANE}]
     */
    void advance(int lane, long watermark);

    /** Lane {@code lane}'s watermark now ({@link Long#MIN_VALUE} before its first {@link #advance}). */
    long watermark(int lane);

    /**
     * Tells every shard, in band, the watermark of every lane that moved since the last call: a few
     * messages per moved lane and shard, so call it when time should reach shards without events (after
     * a poll that moved time, on a timer), not per event.
     *
     * @throws IllegalStateException if the job is shut down
     * @throws InterruptedException if interrupted while waiting for room
     */
    void publish() throws InterruptedException;

    /**
     * Sends lane {@code lane}'s clock back to the beginning, on every shard after the events emitted
     * before (see the class comment). The keys the lane holds keep their windows; drop them first with
     * {@link StreamJob#discard} if they were handed over.
     *
     * @throws IllegalArgumentException if {@code lane} is not in [1, {@link #MAX_LANE}]
     * @throws IllegalStateException if the job is shut down
     * @throws InterruptedException if interrupted while waiting for room; shards not reached yet keep the
     *     lane's time
     */
    void reset(int lane) throws InterruptedException;

    /** This source's name, as shown in the statistics. */
    String name();

    /** This emitter's counters now. */
    SourceStats stats();
}
