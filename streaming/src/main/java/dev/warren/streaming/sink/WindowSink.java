package dev.warren.streaming.sink;

import dev.warren.streaming.window.WindowResult;

/**
 * Receives a job's window results; trafilo's {@code sink(key, window result, state)}.
 *
 * <p><b>Threading.</b> The job calls {@link #emit} on its shard tasklets: several shards may call one
 * sink at once (each key always from the same shard, its windows in order of their end), so a sink that
 * shares a writer must lock (a {@link java.util.concurrent.locks.ReentrantLock}, never
 * {@code synchronized} around blocking I/O). A slow or blocking sink slows its shard, which in turn
 * applies backpressure to the sources. An exception from {@code emit} is counted and logged; the job
 * carries on.
 *
 * <p><b>Closing.</b> The job calls {@link #close()} once, after every shard has emitted its last window.
 *
 * @param <K> the key type
 * @param <R> the window result type
 * @param <S> the per-key state type ({@code Void} for stateless jobs: then {@code state} is null)
 */
@FunctionalInterface
public interface WindowSink<K, R, S> extends AutoCloseable {

    /** Handles one window result; {@code state} is the key's state, owned by the shard: read it here only. */
    void emit(WindowResult<K, R> result, S state) throws Exception;

    /**
     * Writes out what the sink has buffered. The job calls it on a shard tasklet after each batch of
     * emissions, before the shard waits for more events, so a buffering sink shows its results as they
     * come (and may also flush on its own, by size or time); the default does nothing. A flush that
     * throws is counted as a callback error and tried again at the shard's next batch; until one
     * succeeds, the shard's share of {@link dev.warren.streaming.StreamJob#closedThrough()} stays where
     * it was, so nothing upstream is acknowledged that the sink may not have written.
     */
    default void flush() throws Exception {}

    /** Flushes and releases what the sink holds; the default does nothing. */
    @Override
    default void close() throws java.io.IOException {}
}
