package dev.warren.streaming;

/**
 * The entry of one source into a running job: raw records go in, are parsed on the calling tasklet, and
 * are routed to the shard that owns their key. trafilo's {@code trafilo_emit}, and what a
 * {@link dev.warren.streaming.Source} pushes into.
 *
 * <p><b>Threading.</b> Any number of tasklets or threads may emit through one emitter at once.
 * {@link #emit} blocks while the target shard's inbox is full under {@link Backpressure#BLOCK}; it never
 * blocks under the other policies. Events emitted by one thread reach their shard in the order emitted.
 *
 * <p><b>Closing.</b> An emitter lives as long as its job: once the job is shut down, {@code emit} throws
 * {@link IllegalStateException}. An event either reaches its shard or the call throws, never both.
 *
 * <p><b>Memory consistency.</b> Actions before {@code emit} happen-before the job's callbacks for that
 * event ({@code handle}, the sinks of the windows it is in).
 *
 * @param <T> the raw record type (String lines, or the job's event type for an event emitter)
 */
public interface Emitter<T> {

    /**
     * Parses {@code raw} and routes the event to its shard, applying this emitter's
     * {@link Backpressure}. A record that does not parse is counted and reported, and the call returns
     * normally.
     *
     * @throws InterruptedException if the caller was interrupted while waiting for room (the event was
     *     not delivered)
     * @throws IllegalStateException if the job is shut down
     * @throws dev.warren.tasklets.ChannelFullException under {@link Backpressure#FAIL} when the shard is full
     */
    void emit(T raw) throws InterruptedException;

    /**
     * Emits every record of {@code batch}, in order: the same as calling {@link #emit} for each, but the
     * events bound for one shard travel as one message, so the per-event cost of the inbox is paid once
     * per batch. Under {@link Backpressure#DROP_NEWEST} a shard's whole share of the batch is dropped (and
     * counted) if its inbox is full; under {@link Backpressure#FAIL} the shares that fit are delivered,
     * then the call throws.
     *
     * @throws InterruptedException if the caller was interrupted while waiting for room; shares not yet
     *     delivered were not
     */
    void emitAll(java.util.List<? extends T> batch) throws InterruptedException;

    /**
     * Reports a record the source could not even hand to the parser (an over-long line, a truncated
     * frame): counted as a parse error and delivered to the parse-error side output. Never blocks.
     */
    void reject(Object raw, String reason);

    /** This source's name, as shown in the statistics. */
    String name();

    /** This emitter's counters now. */
    SourceStats stats();
}
