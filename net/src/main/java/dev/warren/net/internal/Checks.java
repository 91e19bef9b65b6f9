package dev.warren.net.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Builder argument checks whose messages name the option and the bad value, shared by every builder
 * of the {@code dev.warren.net} packages so that the same option is checked the same way everywhere.
 *
 * <p><b>Not API.</b> Public only because Java has no friend packages; it may change without notice.
 * Stateless, any thread.
 */
public final class Checks {
    private Checks() {}

    public static int port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        return port;
    }

    public static int positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, was " + value);
        }
        return value;
    }

    public static int atLeast(String what, int min, int value) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    public static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, was " + d);
        }
        return d;
    }

    public static Duration nonNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, was " + d);
        }
        return d;
    }

    /** A socket timeout in whole milliseconds, at least 1 (0 would mean "no timeout" to the JDK). */
    public static int millis(String what, Duration d) {
        long ms = Math.max(1, d.toMillis());
        if (ms > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be at most " + Integer.MAX_VALUE + " ms, was " + d);
        }
        return (int) ms;
    }

    public static InetAddress host(String what, String host) {
        Objects.requireNonNull(host, what);
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " is not a known host or address, was '" + host + "'", e);
        }
    }
}
