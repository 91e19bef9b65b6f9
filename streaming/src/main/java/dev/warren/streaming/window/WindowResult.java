package dev.warren.streaming.window;

/**
 * One window emission: the key, the window's bounds {@code [start, end)} in milliseconds of the job's
 * time, and the aggregator's result.
 *
 * @param key the key
 * @param start the window's first millisecond
 * @param end the millisecond after the window's last
 * @param value the aggregator's result
 * @param <K> the key type
 * @param <R> the result type
 */
public record WindowResult<K, R>(K key, long start, long end, R value) {}
