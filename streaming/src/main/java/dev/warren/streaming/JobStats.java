package dev.warren.streaming;

import java.util.List;

/**
 * Counters of a job, totals and per shard and per source, at one moment; also published as the
 * {@code streams} report of {@link dev.warren.tasklets.observe.Reports} while the job runs.
 *
 * @param name the job's name
 * @param time "processing" or "event"
 * @param eventsIn events taken by the shards
 * @param eventsPerSecond the rate of {@code eventsIn} over the last second or so
 * @param parseErrors raw records that did not parse, over all sources
 * @param late late events, over all shards
 * @param future events stamped further ahead of the clock than the job allows (event time; see {@link
 *     StreamJob.Builder#maxAhead}): not taken, over all sources
 * @param dropped events refused by backpressure, over all sources
 * @param upstreamDrops records lost before their source read them (e.g. UDP kernel drops), over all
 *     sources that know theirs
 * @param liveKeys keys held now, over all shards
 * @param windowsEmitted window results handed to the sinks
 * @param callbackErrors exceptions thrown by user callbacks
 * @param shards per shard
 * @param sources per source and emitter
 */
public record JobStats(
        String name,
        String time,
        long eventsIn,
        double eventsPerSecond,
        long parseErrors,
        long late,
        long future,
        long dropped,
        long upstreamDrops,
        long liveKeys,
        long windowsEmitted,
        long callbackErrors,
        List<ShardStats> shards,
        List<SourceStats> sources) {}
