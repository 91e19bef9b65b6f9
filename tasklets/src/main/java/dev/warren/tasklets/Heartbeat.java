package dev.warren.tasklets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A heartbeat registered with the {@link Watchdog}: its owner calls {@link #beat()} where it makes
 * progress, and {@link #idle()} before it waits for work that may take any time to come. A heartbeat
 * that has not beaten for longer than its timeout, and is not idle, is <em>overdue</em>: the watchdog
 * reports it once per missed beat, and, for one {@linkplain Watchdog#registerRestarting registered to
 * restart}, has its tasklet restarted.
 *
 * <pre>{@code
 * try (Heartbeat hb = Watchdog.register("poller", Duration.ofSeconds(5))) {
 *     for (;;) {
 *         hb.idle();
 *         Batch b = inbox.take();   // waiting for work is not a hang
 *         hb.beat();
 *         process(b);               // more than 5 s here is
 *     }
 * }
 * }</pre>
 *
 * <p><b>Cost.</b> {@link #beat()} is a clock read and a plain store, {@link #idle()} a plain store: no
 * fence, no allocation, nothing shared with other heartbeats. The watchdog reads them from its own
 * thread, so it may see a beat late by its scan period, never early.
 *
 * <p><b>Threading and ownership.</b> {@code beat} and {@code idle} are meant for the owner's thread (any
 * thread may call them). {@link #close()} unregisters it, from any thread, and is idempotent; a
 * heartbeat whose tasklet has ended is dropped by the watchdog on its own.
 */
public final class Heartbeat implements AutoCloseable {
    static final long IDLE = Long.MIN_VALUE;
    private static final VarHandle LAST;

    static {
        try {
            LAST = MethodHandles.lookup().findVarHandle(Heartbeat.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final long timeoutNanos;
    final boolean restart;
    final TaskletImpl<?> tasklet; // null when registered by a thread that is not a tasklet
    final Thread thread;
    final int generation; // the tasklet's restart count at registration: a restarted task registers anew

    @SuppressWarnings("unused") // through LAST
    private long last;

    long reportedBeat = IDLE; // the beat last reported overdue; the watchdog's thread only
    volatile boolean closed;

    Heartbeat(String name, long timeoutNanos, boolean restart, TaskletImpl<?> tasklet, Thread thread) {
        this.name = name;
        this.timeoutNanos = timeoutNanos;
        this.restart = restart;
        this.tasklet = tasklet;
        this.thread = thread;
        this.generation = tasklet == null ? 0 : tasklet.restarts;
        LAST.setOpaque(this, System.nanoTime());
    }

    /** Records progress now. */
    public void beat() {
        LAST.setOpaque(this, System.nanoTime());
    }

    /** Says that the owner is about to wait for work: not overdue until its next {@link #beat()}. */
    public void idle() {
        LAST.setOpaque(this, IDLE);
    }

    long last() {
        return (long) LAST.getOpaque(this);
    }

    /** Its name, as reports show it. */
    public String name() {
        return name;
    }

    /** Unregisters it; idempotent. */
    @Override
    public void close() {
        closed = true;
        Watchdog.unregister(this);
    }

    @Override
    public String toString() {
        return "Heartbeat[" + name + ", timeout " + timeoutNanos / 1_000_000 + " ms" + (restart ? ", restarting" : "")
                + "]";
    }
}
