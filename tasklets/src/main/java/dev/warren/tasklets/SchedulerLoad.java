package dev.warren.tasklets;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;

/**
 * What the JDK's virtual-thread scheduler can tell about its load: its parallelism (the number of
 * carrier threads) and how many virtual threads are queued to run. Read through {@code
 * jdk.management.VirtualThreadSchedulerMXBean} (JDK 24 and later, module {@code jdk.management});
 * on an older JDK, or a runtime image without that module, {@link #queued()} answers -1 (unknown) and
 * the parallelism comes from {@code jdk.virtualThreadScheduler.parallelism} or the processor count,
 * as the JDK computes it.
 *
 * <p>Initialised on first use (the first tasklet that runs past its slice), not at start-up.
 */
final class SchedulerLoad {
    /** The number of carrier threads. */
    static final int PARALLELISM;

    /** {@code VirtualThreadSchedulerMXBean.getQueuedVirtualThreadCount()} bound to the bean, or null. */
    private static final MethodHandle QUEUED;

    static {
        MethodHandle queued = null;
        int parallelism = -1;
        try {
            Class<? extends PlatformManagedObject> type = Class.forName("jdk.management.VirtualThreadSchedulerMXBean")
                    .asSubclass(PlatformManagedObject.class);
            Object bean = ManagementFactory.getPlatformMXBean(type);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            queued = lookup.findVirtual(type, "getQueuedVirtualThreadCount", MethodType.methodType(long.class))
                    .bindTo(bean);
            parallelism = (int) lookup.findVirtual(type, "getParallelism", MethodType.methodType(int.class))
                    .invoke(bean);
            if ((long) queued.invokeExact() < 0) {
                queued = null; // virtual threads backed by platform threads: nothing to measure
            }
        } catch (Throwable e) { // not JDK 24+, or no jdk.management in this runtime image
            queued = null;
        }
        if (parallelism <= 0) {
            parallelism = defaultParallelism();
        }
        PARALLELISM = parallelism;
        QUEUED = queued;
    }

    private SchedulerLoad() {}

    private static int defaultParallelism() {
        String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        if (p != null) {
            try {
                int v = Integer.parseInt(p.trim());
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // the JDK itself fails to start on a bad value; nothing to add here
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Virtual threads queued to run now (an estimate), or -1 if this JDK cannot tell. */
    static long queued() {
        MethodHandle q = QUEUED;
        if (q == null) {
            return -1;
        }
        try {
            return (long) q.invokeExact();
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Whether {@link #queued()} measures anything on this JDK. */
    static boolean measurable() {
        return QUEUED != null;
    }
}
