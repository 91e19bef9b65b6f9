package dev.warren.tasklets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where tasklets that have run past their slice take turns, so that they never hold every carrier while
 * other virtual threads wait to run.
 *
 * <p><b>Why a gate, not a yield.</b> {@link Thread#yield()} puts a virtual thread back into its
 * carrier's own queue, and the JDK's {@code ForkJoinPool} (21 to 25) keeps taking tasks from the queue
 * it is draining while that queue is not empty, so a carrier that runs busy tasklets which yield keeps
 * running them and never looks at the queues where the JDK's I/O poller, its timers and platform
 * threads submit wake-ups: a new connection's acceptor, a reactor, a sleeping handler wait for as long
 * as the busy tasklets last. A timed park instead moves the busy tasklet to the timer's queue, which
 * has the same problem one queue further. What does work is to leave a carrier free: then it scans
 * every queue. So when other virtual threads are queued, at most {@code parallelism - 1} tasklets that
 * are past their slice (holders) may run; the others wait here, parked, in FIFO order. When nothing
 * else is queued, all carriers may run them.
 *
 * <p><b>Turns.</b> A holder whose slice ends while others wait here hands its place to the first of
 * them and queues behind the last, so busy tasklets share the holders' carriers round-robin, a slice
 * each. A holder that waits (in a Warren primitive) or ends gives its place up at once. The first
 * waiter parks with a timeout of one slice and then looks again: it takes a place when one is free,
 * or when the scheduler's queue has emptied (the places grow back to {@code parallelism}); on a single
 * carrier, where there is no place to give while others are queued, it takes one anyway after
 * {@link #MAX_WAIT_SLICES} slices at the head of the queue (busy tasklets must not starve either). It
 * also takes back the place of a holder that has not checked in for {@link #STALE_SLICES} slices
 * (that one is waiting somewhere the runtime cannot see).
 *
 * <p>How many virtual threads are queued comes from the JDK's scheduler MXBean (JDK 24+). Without it
 * the gate assumes that some always are, which limits tasklets past their slice to {@code
 * parallelism - 1} carriers whenever they contend.
 *
 * <p><b>Threading.</b> Every method is called by the tasklet whose budget it is given; the state of all
 * budgets in the gate is guarded by one lock, never held while parked.
 */
final class FairGate {
    /** A waiter takes a place after this many slices whatever the load, so busy tasklets progress too. */
    static final int MAX_WAIT_SLICES = 8;

    /** A holder that has not checked in for this many slices is taken to be waiting, and loses its place. */
    static final int STALE_SLICES = 8;

    static final FairGate INSTANCE = new FairGate();

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Fairness.Budget> waiters = new ArrayDeque<>();
    private final ArrayList<Fairness.Budget> holders = new ArrayList<>();
    /** {@code waiters.size()}, readable without the lock. */
    private volatile int waiting;

    /** How many tasklets past their slice may run when {@code queued} virtual threads wait to run. */
    private static int places(long queued) {
        return queued != 0 ? SchedulerLoad.PARALLELISM - 1 : SchedulerLoad.PARALLELISM;
    }

    /**
     * Called by {@code b}'s tasklet when it has used up its slice; returns when the tasklet may run on,
     * possibly after waiting its turn here.
     */
    // Thread.yield lets the tasks queued on this carrier run before this tasklet goes on: it is the point.
    @SuppressWarnings("ThreadPriorityCheck")
    void sliceEnded(Fairness.Budget b, long now) {
        long queued = SchedulerLoad.queued();
        if (queued == 0 && waiting == 0) {
            return; // no one else wants a carrier: run on
        }
        int places = places(queued);
        boolean wait = false;
        lock.lock();
        try {
            if (b.holds && holders.size() <= places && waiters.isEmpty()) {
                b.lastSeen = now; // keep the place
            } else if (!b.holds && holders.size() < places && waiters.isEmpty()) {
                hold(b, now);
            } else {
                if (b.holds) {
                    release(b, places); // round robin: the first waiter goes next, or the place goes to others
                }
                waiters.addLast(b);
                b.queued = true;
                waiting = waiters.size();
                wait = true;
            }
        } finally {
            lock.unlock();
        }
        Fairness.countYield();
        if (wait) {
            awaitPlace(b);
        } else {
            Thread.yield(); // others are queued: let this carrier's own queue run first
        }
    }

    /** Called by {@code b}'s tasklet after it waited, or as it ends: gives its place to the next one, if it held one. */
    void leave(Fairness.Budget b) {
        if (!b.holds) {
            return; // only this tasklet makes it true, and a revocation only makes it false
        }
        lock.lock();
        try {
            if (b.holds) {
                release(b, places(SchedulerLoad.queued()));
            }
        } finally {
            lock.unlock();
        }
    }

    private void hold(Fairness.Budget b, long now) {
        holders.add(b);
        b.holds = true;
        b.lastSeen = now;
    }

    /** Under the lock: {@code b} gives up its place; the first waiters take the places now free. */
    private void release(Fairness.Budget b, int places) {
        holders.remove(b);
        b.holds = false;
        admit(places, System.nanoTime());
    }

    /** Under the lock: lets waiters in while places are free, and wakes the (new) first waiter to watch. */
    private void admit(int places, long now) {
        while (holders.size() < places && !waiters.isEmpty()) {
            Fairness.Budget w = waiters.pollFirst();
            w.queued = false;
            hold(w, now);
            LockSupport.unpark(w.thread);
        }
        waiting = waiters.size();
        Fairness.Budget first = waiters.peekFirst();
        if (first != null) {
            LockSupport.unpark(first.thread); // it may be parked without a timeout, behind one that left
        }
    }

    /** Parks {@code b}'s tasklet until it holds a place (or is interrupted: then it leaves the queue). */
    private void awaitPlace(Fairness.Budget b) {
        long slice = Fairness.SLICE_NANOS;
        long firstSince = 0; // when b became the first waiter; 0 = not yet
        for (; ; ) {
            boolean first;
            lock.lock();
            try {
                if (b.holds || !b.queued) {
                    // given a place, or given one and had it revoked before it could run: run on either way
                    return;
                }
                first = waiters.peekFirst() == b;
                if (first) {
                    long now = System.nanoTime();
                    if (firstSince == 0) {
                        firstSince = now;
                    }
                    revokeStale(now, slice);
                    int places = places(SchedulerLoad.queued());
                    // With no place to give (one carrier, others queued) busy tasklets still get a slice now and then.
                    boolean starved = places == 0 && now - firstSince >= MAX_WAIT_SLICES * slice;
                    if (holders.size() < places || starved) {
                        waiters.pollFirst();
                        b.queued = false;
                        hold(b, now);
                        admit(places, now);
                        return;
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    // Cancelled: let the tasklet see its interrupt now rather than wait its turn.
                    waiters.remove(b);
                    b.queued = false;
                    admit(places(SchedulerLoad.queued()), System.nanoTime());
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (first) {
                LockSupport.parkNanos(this, slice);
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Under the lock: holders that have not checked in for {@link #STALE_SLICES} slices lose their place. */
    private void revokeStale(long now, long slice) {
        for (int i = holders.size() - 1; i >= 0; i--) {
            Fairness.Budget h = holders.get(i);
            if (now - h.lastSeen > STALE_SLICES * slice) {
                holders.remove(i);
                h.holds = false;
            }
        }
    }

    /** The number of tasklets holding a place now; for tests and reports. */
    int holders() {
        lock.lock();
        try {
            return holders.size();
        } finally {
            lock.unlock();
        }
    }

    /** The number of tasklets waiting for a place now; for tests and reports. */
    int waiting() {
        return waiting;
    }
}
