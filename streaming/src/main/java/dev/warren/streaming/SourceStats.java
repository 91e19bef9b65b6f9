package dev.warren.streaming;

/**
 * Counters of one source (or in-process emitter) of a job, at one moment.
 *
 * @param name the source's name
 * @param backpressure its policy
 * @param emitted events routed to a shard
 * @param parseErrors raw records that did not parse (or were rejected by the source)
 * @param dropped events refused by a full shard under {@link Backpressure#DROP_NEWEST} or {@link Backpressure#FAIL}
 * @param upstreamDrops records lost before the source read them (UDP: datagrams dropped by the kernel or
 *     for being oversize), see {@link dev.warren.streaming.Source#upstreamDrops()}; 0 for
 *     in-process emitters, {@code -1} when unknown
 */
public record SourceStats(
        String name, Backpressure backpressure, long emitted, long parseErrors, long dropped, long upstreamDrops) {}
