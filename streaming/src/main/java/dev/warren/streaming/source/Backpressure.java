package dev.warren.streaming.source;

/**
 * What a source does when the shard its event is routed to has a full inbox. Chosen per source
 * ({@link dev.warren.streaming.StreamJob.Builder#source(Source, Backpressure)},
 * {@link dev.warren.streaming.StreamJob#emitter(String, Backpressure)}); every event a policy refuses is counted, never lost
 * silently.
 */
public enum Backpressure {
    /** The default: the emitting tasklet waits until the shard makes room. Nothing is lost. */
    BLOCK,
    /** The event is discarded and counted as dropped ({@link SourceStats#dropped()}); emit returns at once. */
    DROP_NEWEST,
    /** Emit throws {@link dev.warren.tasklets.ChannelFullException}; the refusal is counted as dropped. */
    FAIL
}
