package dev.warren.streaming;

/**
 * An event that arrived after every window it belongs to was closed (its time plus the grace period is
 * behind the watermark), as delivered to a job's late side output ({@link StreamJob.Builder#onLate}). The
 * event did not reach any window nor {@code handle}.
 *
 * @param key the event's key
 * @param event the event
 * @param timestamp the event's time in milliseconds
 * @param watermark the shard's watermark when the event arrived
 * @param <E> the event type
 */
public record LateEvent<E>(Object key, E event, long timestamp, long watermark) {}
