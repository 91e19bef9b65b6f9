package dev.warren.tasklets;

import java.util.concurrent.atomic.LongAdder;

/**
 * The link from a running thread to its tasklet, and the "what is it waiting on" hint that blocking
 * primitives (channels, job queues, sockets) leave for the registry.
 *
 * <p>A tasklet's thread carries the tasklet as its uncaught-exception handler, so finding the current
 * tasklet is two field reads, and registering costs nothing on the spawn path: no map keyed by thread,
 * no {@code ThreadLocal} (a million tasklets would be a million thread-local maps). Code that replaces
 * the handler of a tasklet's thread hides the tasklet from {@link Tasklets#current()}.
 */
final class WaitHints {
    /** Tasklets started and not yet ended, all scopes together. */
    static final LongAdder LIVE = new LongAdder();

    private WaitHints() {}

    static TaskletImpl<?> current() {
        return Thread.currentThread().getUncaughtExceptionHandler() instanceof TaskletImpl<?> t ? t : null;
    }

    static Object mark(Object what) {
        TaskletImpl<?> t = current();
        if (t == null) {
            return null;
        }
        Object previous = t.waitingOn;
        t.waitingOn = what;
        return previous;
    }

    static void restore(Object previous) {
        TaskletImpl<?> t = current();
        if (t != null) {
            t.waitingOn = previous;
        }
    }
}
