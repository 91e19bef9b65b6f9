package dev.warren.streaming;

/**
 * An event whose time lies further ahead of the processing clock than the job allows ({@link
 * StreamJob.Builder#maxAhead}), as delivered to the job's future side output ({@link
 * StreamJob.Builder#onFuture}). It reached no window and did not move the watermark: one event stamped a
 * year ahead would otherwise push the watermark a year forward and make every later event late.
 *
 * @param key the event's key
 * @param event the event
 * @param timestamp the event's time in milliseconds
 * @param limit the latest time the job accepted when the event came (the clock plus the allowance)
 * @param <E> the event type
 */
public record FutureEvent<E>(Object key, E event, long timestamp, long limit) {}
