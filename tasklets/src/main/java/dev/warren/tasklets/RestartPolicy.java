package dev.warren.tasklets;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@linkplain TaskletScope#supervise(String) supervising scope} restarts a child whose task threw:
 * after an exponentially growing pause, and only while the child has not been restarted more than
 * {@code maxRestarts} times within {@code window} (the restart rate limit, as libmtev's watchdog and
 * Erlang supervisors have). Past that, the supervisor gives up: the child ends {@link TaskletState#FAILED}.
 *
 * <p>The pause before restart number {@code n} (0-based) is {@code min(initialBackoff * multiplier^n,
 * maxBackoff)}. A child is restarted in the same tasklet (same id and name; {@code restarts} counts up),
 * so a handle obtained from {@code fork} stays valid across restarts. Only {@link Exception}s are
 * restarted; an {@link Error} ends the child at once.
 *
 * @param initialBackoff the pause before the first restart, {@code >= 0}
 * @param maxBackoff the cap on the pause, {@code >= initialBackoff}
 * @param multiplier the growth factor of the pause, {@code >= 1}
 * @param maxRestarts how many restarts are allowed within {@code window}, {@code >= 0}
 * @param window the sliding window of the rate limit, {@code > 0}
 */
public record RestartPolicy(
        Duration initialBackoff, Duration maxBackoff, double multiplier, int maxRestarts, Duration window) {

    /** Validates the fields; each message names the bad value. */
    public RestartPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(window, "window");
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException("initialBackoff must be >= 0, was " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maxBackoff must be >= initialBackoff (" + initialBackoff + "), was " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be >= 0, was " + maxRestarts);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be > 0, was " + window);
        }
    }

    /**
     * Exponential backoff (factor 2) from {@code initial} up to {@code max}, at most 10 restarts a minute.
     */
    public static RestartPolicy backoff(Duration initial, Duration max) {
        return new RestartPolicy(initial, max, 2.0, 10, Duration.ofMinutes(1));
    }

    /** This policy with a different rate limit: at most {@code maxRestarts} restarts within {@code window}. */
    public RestartPolicy withMaxRestarts(int maxRestarts, Duration window) {
        return new RestartPolicy(initialBackoff, maxBackoff, multiplier, maxRestarts, window);
    }

    /** This policy with a different growth factor. */
    public RestartPolicy withMultiplier(double multiplier) {
        return new RestartPolicy(initialBackoff, maxBackoff, multiplier, maxRestarts, window);
    }

    /** The pause before restart number {@code restart} (0-based). */
    public Duration backoffFor(int restart) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, restart);
        long max = maxBackoff.toNanos();
        return Duration.ofNanos(nanos >= max ? max : (long) nanos);
    }
}
