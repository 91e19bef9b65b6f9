package dev.warren.tasklets;

/**
 * The failure of a tasklet that the {@link Watchdog} found hung and interrupted to restart it (see
 * {@link Watchdog#registerRestarting}): its supervising scope's handler and its final failure, if the
 * rate limit stops the restarts, carry this, with what the task threw on the interrupt as the cause.
 */
public final class WatchdogTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A hung tasklet's failure; {@code cause} is what its task threw when interrupted. */
    public WatchdogTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
