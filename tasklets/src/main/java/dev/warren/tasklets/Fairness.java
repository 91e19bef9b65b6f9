package dev.warren.tasklets;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fair turns for tasklets: a loop that may run without blocking gives the carriers back to the others
 * now and then.
 *
 * <p>Virtual threads are not preempted. A tasklet whose work never makes it wait (a connection whose
 * client pipelines requests and reads every answer at once, a long response body to a fast reader, a
 * session with a full input buffer, a busy UDP socket, a shard with a deep inbox) keeps its carrier
 * thread for as long as the work lasts, and on a machine with two carriers two such tasklets stop
 * everything else: new connections, timers, other clients. The runtime therefore gives each tasklet a
 * <em>slice</em> of time per turn (default {@value #DEFAULT_SLICE_MICROS} µs; the system property
 * {@value #SLICE_PROPERTY} in microseconds, 0 turns fairness off). Such loops call {@link
 * #checkpoint()} once per unit of work (a request, a message, a system call, a batch of events). When
 * a tasklet has run for more than a slice since its turn began and other virtual threads are waiting
 * to run, it takes its turn with the other busy tasklets: while anything else is queued, tasklets past
 * their slice run on at most all carriers but one, a slice at a time, round-robin, so one carrier is
 * always free to serve the rest (see {@link FairGate} for why a plain {@link Thread#yield()} does not
 * do that on the JDK's scheduler). When nothing else waits, a checkpoint at the end of a slice costs a
 * look at the scheduler's queue and the tasklet runs on.
 *
 * <p>A turn begins when a tasklet resumes after it waited: in a Warren primitive (channels, {@link
 * Select}, job queues, the network layer's sockets and reactor), which tell the runtime, or in code
 * that calls {@link #waited()}. A wait the runtime does not see (a JDK lock, a foreign socket) leaves
 * the turn running, so such a tasklet may take its turn with the busy ones once when it need not.
 * Between clock reads a checkpoint is a field increment and a compare: the clock is read every
 * {@value #CHECK_EVERY} checkpoints, so a unit of work should be at least a few hundred nanoseconds
 * (call it every N items otherwise), and a turn can overrun its slice by up to that many units.
 *
 * <pre>{@code
 * Fairness.Budget budget = Fairness.budget();   // once, on the tasklet that loops
 * for (Order o; (o = orders.poll()) != null; ) {
 *     process(o);
 *     budget.checkpoint();                       // takes turns with other busy tasklets when its slice is used up
 * }
 * }</pre>
 *
 * <p>Work that runs for long without any unit to count (a CPU-bound computation of many
 * milliseconds) belongs on a bounded platform-thread pool, not in a tasklet.
 *
 * <p><b>JDKs.</b> Whether other virtual threads are queued is read from the JDK's {@code
 * VirtualThreadSchedulerMXBean} (JDK 24 and later). On JDK 21 to 23 the runtime cannot tell, and
 * assumes that some are: tasklets past their slice then share all carriers but one whenever they are
 * more than that. With a single carrier there is nothing to keep free; busy tasklets then give way
 * for up to {@value FairGate#MAX_WAIT_SLICES} slices at a time while others are queued.
 *
 * <p><b>Threading.</b> A {@link Budget} belongs to the tasklet that obtained it and may be used only
 * on that tasklet's thread. Calls on a thread that is not a tasklet do nothing: platform threads are
 * preempted by the operating system, and a virtual thread not started through the runtime has no
 * turn to account (start it as a tasklet).
 */
public final class Fairness {
    /** The system property that sets the slice, in microseconds ({@code 0} turns fairness off). */
    public static final String SLICE_PROPERTY = "warren.fairness.sliceMicros";

    /** The slice when {@value #SLICE_PROPERTY} is not set, in microseconds. */
    public static final long DEFAULT_SLICE_MICROS = 250;

    /** Checkpoints between two clock reads. */
    static final int CHECK_EVERY = 16;

    /**
     * A blocking call that took at least this long is taken to have waited (its tasklet parked): a
     * socket call that does not wait returns in microseconds, one that parks goes through the JDK's
     * poller, which takes longer. See {@link #afterBlockingCall(long)}.
     */
    static final long WAITED_NANOS = 50_000;

    static final long SLICE_NANOS = sliceNanos(System.getProperty(SLICE_PROPERTY));

    private static final LongAdder YIELDS = new LongAdder();

    /** What calls on a thread that is not a tasklet get: nothing to account. */
    private static final Budget NONE = new Budget(null);

    private Fairness() {}

    /** Parses {@value #SLICE_PROPERTY}; a bad value fails loudly rather than turning fairness off. */
    static long sliceNanos(String micros) {
        if (micros == null || micros.isBlank()) {
            return DEFAULT_SLICE_MICROS * 1_000;
        }
        long v;
        try {
            v = Long.parseLong(micros.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    SLICE_PROPERTY + " must be a whole number of microseconds (0 = off), was '" + micros + "'", e);
        }
        if (v < 0 || v > 1_000_000) {
            throw new IllegalArgumentException(SLICE_PROPERTY + " must be 0..1000000 microseconds (0 = off), was " + v);
        }
        return v * 1_000;
    }

    /** The slice a tasklet may run per turn; {@link Duration#ZERO} when fairness is off. */
    public static Duration slice() {
        return Duration.ofNanos(SLICE_NANOS);
    }

    /** Whether checkpoints do anything at all ({@value #SLICE_PROPERTY} is not 0). */
    public static boolean enabled() {
        return SLICE_NANOS > 0;
    }

    /**
     * How many times a tasklet has given way at the end of its slice (yielded, or waited its turn
     * behind other busy tasklets), all tasklets together, since the JVM started.
     */
    public static long yields() {
        return YIELDS.sum();
    }

    static void countYield() {
        YIELDS.increment();
    }

    /**
     * The calling tasklet's budget, to keep in a local variable for a hot loop. On a thread that is not
     * a tasklet, a budget that does nothing.
     */
    public static Budget budget() {
        TaskletImpl<?> t = WaitHints.current();
        return t == null ? NONE : t.budget();
    }

    /** Counts one unit of work of the calling tasklet; see the class comment. */
    public static void checkpoint() {
        TaskletImpl<?> t = WaitHints.current();
        if (t != null) {
            t.budget().checkpoint();
        }
    }

    /**
     * Tells the runtime that the calling tasklet has just waited (parked), so its next turn starts now
     * and it gives up its place among the busy tasklets, if it held one. For blocking primitives built
     * on the runtime; see the class comment.
     */
    public static void waited() {
        TaskletImpl<?> t = WaitHints.current();
        if (t != null) {
            t.waitedIfBudgeted();
        }
    }

    /**
     * For a blocking call whose waiting the runtime cannot see (a blocking socket: the JDK parks the
     * tasklet inside it, or does not): counts the call as one unit of work if it returned quickly, or
     * as a wait ({@link #waited()}) if it took {@code elapsedNanos} of at least 50 µs, which a call
     * that did not park does not take.
     */
    public static void afterBlockingCall(long elapsedNanos) {
        TaskletImpl<?> t = WaitHints.current();
        if (t != null) {
            if (elapsedNanos >= WAITED_NANOS) {
                t.waitedIfBudgeted();
            } else {
                t.budget().checkpoint();
            }
        }
    }

    /**
     * One tasklet's account of its current turn. Not thread-safe: only the tasklet it belongs to may
     * use it (see {@link Fairness#budget()}).
     */
    public static final class Budget {
        final Thread thread;
        private int units;
        /** System.nanoTime() when the current turn began; meaningful only while {@code started}. */
        private long turnStart;

        private boolean started;
        /** Holds a place among the busy tasklets ({@link FairGate}); guarded by the gate's lock for writes. */
        volatile boolean holds;
        /** How many slices this tasklet has used up; its own thread only (tests read it after a join). */
        long sliceEnds;
        /** Waits in the gate's queue; guarded by the gate's lock. */
        boolean queued;
        /** When the tasklet last checked in while holding a place; read by the gate. */
        volatile long lastSeen;

        Budget(Thread thread) {
            this.thread = thread;
        }

        /** Counts one unit of work; at the end of the slice, takes turns with other busy tasklets. */
        public void checkpoint() {
            if (this == NONE || ++units < CHECK_EVERY) {
                return;
            }
            units = 0;
            long slice = SLICE_NANOS;
            if (slice == 0) {
                return;
            }
            long now = System.nanoTime();
            if (!started) {
                started = true;
                turnStart = now;
            } else if (now - turnStart >= slice) {
                sliceEnds++;
                FairGate.INSTANCE.sliceEnded(this, now);
                turnStart = System.nanoTime();
            }
        }

        /** The tasklet has just waited: a new turn begins, and its place among the busy ones is given up. */
        public void waited() {
            if (this == NONE) {
                return;
            }
            started = false;
            units = 0;
            if (holds) {
                FairGate.INSTANCE.leave(this);
            }
        }
    }
}
