package dev.warren.tasklets;

/**
 * The outcome of a {@link Select}: which channel delivered, and the value it delivered.
 *
 * @param channel the channel the value was received from
 * @param value the value (never null)
 * @param <T> the common type of the channels' values
 */
public record Selected<T>(Channel<? extends T> channel, T value) {}
