package dev.warren.net;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once per JVM, when the first server starts, if the JDK's socket pollers run as virtual threads.
 *
 * <p>From JDK 22 on Linux (JDK-8318422), {@code jdk.pollerMode} defaults to 2: the pollers are virtual threads that
 * yield between polls. Under socket load they keep a carrier's local queue busy, and the carrier never
 * gets to the external queue, where timer wake-ups and tasklets started from platform threads wait: in
 * our measurements a 10 ms sleep in a request handler took 8.3 s while 5,000 keep-alive connections
 * were loaded (docs/ARCHITECTURE.md, "Poller threads"). The flag is JVM-wide and read once at start-up,
 * so the library cannot set it; it says so instead.
 */
final class PollerModeCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PollerModeCheck.class);
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private PollerModeCheck() {}

    /** Logs the warning the first time it is called in a JVM where {@link #risky} holds. */
    static void warnOnce() {
        if (CHECKED.compareAndSet(false, true)) {
            String mode = System.getProperty("jdk.pollerMode");
            if (risky(mode, Runtime.version().feature())) {
                LOG.warn(
                        "jdk.pollerMode is {}: on JDK {} the socket pollers are virtual threads, and under socket"
                                + " load they can delay timers and newly started tasklets by seconds; start the JVM"
                                + " with -Djdk.pollerMode=1 (see docs/ARCHITECTURE.md, \"Poller threads\")",
                        mode == null ? "unset (the JDK default, 2 on Linux)" : "'" + mode + "'",
                        Runtime.version().feature());
            }
        }
    }

    /**
     * Whether this poller mode property, on a JDK of this feature version, gives virtual-thread pollers:
     * set to 2, or unset on Linux from JDK 22 on (the default there since JDK-8318422). JDK 21 is not
     * warned about when unset: its update releases differ in their default.
     */
    static boolean risky(String pollerMode, int jdkFeature) {
        if (pollerMode == null) {
            return jdkFeature >= 22 && isLinux();
        }
        String m = pollerMode.trim();
        return m.equals("2") || m.equalsIgnoreCase("VTHREAD_POLLERS");
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux");
    }
}
