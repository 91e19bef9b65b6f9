package dev.warren.streaming;

/**
 * What a source does when the shard its event is routed to has a full inbox. Chosen per source
 * ({@link StreamJob.Builder#source(dev.warren.streaming.Source, Backpressure)},
 * {@link StreamJob#emitter(String, Backpressure)}); every event a policy refuses is counted, never lost
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
