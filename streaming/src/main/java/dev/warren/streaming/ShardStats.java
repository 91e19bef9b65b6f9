package dev.warren.streaming;

/**
 * Counters of one shard of a job, at one moment (published by the shard every few events, so a moment
 * behind the shard itself).
 *
 * @param shard the shard's index
 * @param eventsIn events the shard took from its inbox
 * @param late events that arrived after their windows closed
 * @param liveKeys keys the shard holds now
 * @param queueDepth events waiting in its inbox now
 * @param windowsEmitted window results handed to the sinks
 * @param callbackErrors exceptions thrown by user callbacks on this shard (handle, state, sinks, side outputs)
 */
public record ShardStats(
        int shard, long eventsIn, long late, long liveKeys, int queueDepth, long windowsEmitted, long callbackErrors) {}
