package dev.warren.net;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's limit on open file descriptors, and the connection limit servers take by default from
 * it, so that a flood of clients makes new ones wait (or be turned away) before the process runs out
 * of descriptors for everything else: its jars and files, its own sockets, the JDK's pollers.
 */
final class FileDescriptors {
    /** Descriptors a server's default limit leaves to the rest of the process, beyond those open when it started. */
    static final int RESERVED = 64;

    /** The soft limit on open descriptors when the class was loaded, or -1 where the JDK cannot tell. */
    static final long LIMIT;

    /** Descriptors open when the class was loaded (the first server started), or -1 where the JDK cannot tell. */
    static final long OPEN;

    /**
     * 90 % of what {@link #LIMIT} leaves beyond the descriptors already {@link #OPEN}, less {@link
     * #RESERVED}, at least 16; {@link Integer#MAX_VALUE} when the limit is unknown (not a Unix) or
     * unlimited.
     */
    static final int DEFAULT_MAX_CONNECTIONS;

    static {
        long limit = -1;
        long open = -1;
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                limit = unix.getMaxFileDescriptorCount();
                open = unix.getOpenFileDescriptorCount();
            }
        } catch (RuntimeException | LinkageError e) {
            // no jdk.management in this runtime image: the limit stays unknown
        }
        LIMIT = limit;
        OPEN = open;
        DEFAULT_MAX_CONNECTIONS = defaultMax(limit, open);
    }

    private FileDescriptors() {}

    static int defaultMax(long limit, long open) {
        if (limit <= 0 || limit >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(16, (limit - Math.max(0, open)) * 9 / 10 - RESERVED);
    }
}
