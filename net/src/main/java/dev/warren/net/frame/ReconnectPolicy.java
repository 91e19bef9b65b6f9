package dev.warren.net.frame;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link MessageClient} retries a failed connection: exponential backoff with jitter and a cap,
 * and optionally a time after which it gives up.
 *
 * <p>The wait before the {@code n}-th retry ({@code n = 0, 1, ...}, reset by every successful connect) is
 * {@code d = min(maxDelay, initialDelay * multiplier^n)}, shortened by a random fraction of up to
 * {@code jitter * d} so that many clients cut off at once do not come back in lockstep.
 *
 * @param initialDelay the first wait, {@code > 0}
 * @param maxDelay the cap, {@code >= initialDelay}
 * @param multiplier the growth per attempt, {@code >= 1}
 * @param jitter the random fraction taken off each wait, {@code 0..1}
 * @param giveUpAfter stop reconnecting when the peer has been unreachable this long; null for never
 */
public record ReconnectPolicy(
        Duration initialDelay, Duration maxDelay, double multiplier, double jitter, Duration giveUpAfter) {

    private static final ReconnectPolicy DEFAULTS =
            new ReconnectPolicy(Duration.ofMillis(50), Duration.ofSeconds(5), 2.0, 0.5, null);

    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be > 0, was " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException(
                    "maxDelay must be >= initialDelay " + initialDelay + ", was " + maxDelay);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be 0..1, was " + jitter);
        }
        if (giveUpAfter != null && (giveUpAfter.isNegative() || giveUpAfter.isZero())) {
            throw new IllegalArgumentException("giveUpAfter must be > 0, was " + giveUpAfter);
        }
    }

    /** 50 ms doubling up to 5 s, jitter 0.5, never give up. */
    public static ReconnectPolicy defaults() {
        return DEFAULTS;
    }

    /** These settings with another first wait and cap. */
    public ReconnectPolicy withDelays(Duration initial, Duration max) {
        return new ReconnectPolicy(initial, max, multiplier, jitter, giveUpAfter);
    }

    /** These settings with another growth factor and jitter. */
    public ReconnectPolicy withGrowth(double newMultiplier, double newJitter) {
        return new ReconnectPolicy(initialDelay, maxDelay, newMultiplier, newJitter, giveUpAfter);
    }

    /** These settings, giving up after {@code after} without a connection (null: never). */
    public ReconnectPolicy withGiveUpAfter(Duration after) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, jitter, after);
    }

    /** The wait before retry number {@code attempt} (0-based), jitter applied. */
    public Duration delay(int attempt) {
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attempt));
        double capped = Math.min(nanos, (double) maxDelay.toNanos());
        double jittered = capped * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos(Math.max(1L, (long) jittered));
    }
}
