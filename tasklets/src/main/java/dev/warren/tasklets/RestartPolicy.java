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
 * <p><b>Limits.</b> A policy must keep a failing child from spinning: either every pause is at least
 * {@link #MIN_PAUSE} (1 ms), or the rate limit allows at most {@link #MAX_UNPACED_RESTARTS_PER_SECOND}
 * (1,000) restarts a second ({@code window >= maxRestarts} ms). And the window is at least
 * {@link #MIN_WINDOW} (1 ms): shorter ones cannot be measured against a scheduler's granularity. (A
 * 1 ns window with no backoff restarted a failing child 327,000 times a second.)
 *
 * @param initialBackoff the pause before the first restart, {@code >= 0}
 * @param maxBackoff the cap on the pause, {@code >= initialBackoff}
 * @param multiplier the growth factor of the pause, {@code >= 1}
 * @param maxRestarts how many restarts are allowed within {@code window}, {@code >= 0}
 * @param window the sliding window of the rate limit, {@code >= 1 ms}
 */
public record RestartPolicy(
        Duration initialBackoff, Duration maxBackoff, double multiplier, int maxRestarts, Duration window) {

    /** The shortest rate-limit window. */
    public static final Duration MIN_WINDOW = Duration.ofMillis(1);

    /** The shortest pause that paces restarts by itself. */
    public static final Duration MIN_PAUSE = Duration.ofMillis(1);

    /** The most restarts a second the rate limit may allow when the pauses are shorter than {@link #MIN_PAUSE}. */
    public static final int MAX_UNPACED_RESTARTS_PER_SECOND = 1000;

    /**
     * Validates the fields; each message names the bad value.
     *
     * @throws IllegalArgumentException if a field is out of its range, or if the policy would let a
     *     failing child restart more than {@value #MAX_UNPACED_RESTARTS_PER_SECOND} times a second (see
     *     the class comment)
     */
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
        if (window.compareTo(MIN_WINDOW) < 0) {
            throw new IllegalArgumentException("window must be >= " + MIN_WINDOW + " (1 ms), was " + window);
        }
        if (initialBackoff.compareTo(MIN_PAUSE) < 0 && maxRestarts > 0) {
            // Nothing paces the restarts but the rate limit: maxRestarts per window must be a sane rate.
            Duration slowest = Duration.ofNanos(1_000_000_000L / MAX_UNPACED_RESTARTS_PER_SECOND)
                    .multipliedBy(maxRestarts);
            if (window.compareTo(slowest) < 0) {
                throw new IllegalArgumentException("restart policy would spin: " + maxRestarts + " restarts within "
                        + window + " with an initialBackoff of " + initialBackoff + " is more than "
                        + MAX_UNPACED_RESTARTS_PER_SECOND + " restarts a second; use a window of at least "
                        + slowest + " or an initialBackoff of at least " + MIN_PAUSE);
            }
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
        double nanos = Durations.saturatedNanos(initialBackoff) * Math.pow(multiplier, restart);
        long max = Durations.saturatedNanos(maxBackoff);
        return Duration.ofNanos(nanos >= max ? max : (long) nanos);
    }
}
