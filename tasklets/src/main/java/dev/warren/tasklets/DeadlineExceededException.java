package dev.warren.tasklets;

import java.time.Duration;

/**
 * Thrown by {@link TaskletScope#join()} when the scope's deadline passed before its tasklets finished.
 * The scope cancelled every tasklet still running at that moment.
 */
public final class DeadlineExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param scopeName the scope whose deadline passed
     * @param deadline the deadline it was given
     */
    public DeadlineExceededException(String scopeName, Duration deadline) {
        super("scope '" + scopeName + "' exceeded its deadline of " + deadline.toMillis() + " ms");
    }
}
