package dev.warren.tasklets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live children of a scope: an intrusive, lock-free list through {@link TaskletImpl#nextSibling}.
 *
 * <p>Why not a concurrent hash set: spawning is the hot path of a server (a tasklet per connection,
 * per request), and a hash set costs an identity hash (a header write on first use), a bin CAS, a
 * striped size update and periodic resizes per add, and a bin lock per remove. Here an add is one CAS
 * on {@code head} plus one {@code getAndAdd} on the counts, and an end is one {@code getAndAdd} plus a
 * volatile flag.
 *
 * <p><b>Shape.</b> New children are pushed at the head (Treiber-style). A child that ends is not
 * unlinked at once; it sets {@link TaskletImpl#detached} and counts itself dead. When the dead outnumber
 * {@code max(64, live)}, the ending child that notices runs a cleaning pass (one cleaner at a time) that
 * unlinks detached nodes. The cleaner never unlinks the head node, and pushers never write an existing
 * node's link, so the cleaner is the only writer of {@code nextSibling} after a node is published.
 * Readers (cancel, join, snapshot) may traverse concurrently: an unlinked node keeps its own link, so a
 * reader standing on one still reaches every node after it. Memory stays proportional to the live
 * children.
 *
 * <p><b>Counts.</b> One {@link AtomicLong}: live children in the low 32 bits, detached-but-linked nodes
 * in the high 32 bits.
 */
final class ChildList {
    private static final VarHandle HEAD;
    private static final long DEAD_ONE = 1L << 32;
    private static final long LIVE_MASK = DEAD_ONE - 1;
    private static final int CLEAN_THRESHOLD = 64;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(ChildList.class, "head", TaskletImpl.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through HEAD
    private volatile TaskletImpl<?> head;

    private final AtomicLong counts = new AtomicLong();
    private volatile boolean cleaning;
    private static final VarHandle CLEANING;

    static {
        try {
            CLEANING = MethodHandles.lookup().findVarHandle(ChildList.class, "cleaning", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Publishes a new child. Called by the forking thread before the child's thread starts. */
    void add(TaskletImpl<?> t) {
        counts.getAndIncrement();
        TaskletImpl<?> h;
        do {
            h = head;
            t.nextSibling = h;
        } while (!HEAD.compareAndSet(this, h, t));
    }

    /**
     * Marks a child as gone: it is no longer counted live, and traversals skip it. Called once per child,
     * on its own thread as its last act (or by {@code fork} if its thread could not be started).
     */
    void remove(TaskletImpl<?> t) {
        long c = counts.getAndAdd(DEAD_ONE - 1);
        t.detached = true;
        long dead = (c >>> 32) + 1;
        long live = (c & LIVE_MASK) - 1;
        if (dead > Math.max(CLEAN_THRESHOLD, live) && !cleaning && CLEANING.compareAndSet(this, false, true)) {
            try {
                clean();
            } finally {
                cleaning = false;
            }
        }
    }

    private void clean() {
        TaskletImpl<?> pred = head;
        if (pred == null) {
            return;
        }
        long removed = 0;
        for (TaskletImpl<?> n = pred.nextSibling; n != null; n = n.nextSibling) {
            if (n.detached) {
                pred.nextSibling = n.nextSibling;
                removed++;
            } else {
                pred = n;
            }
        }
        counts.getAndAdd(-removed * DEAD_ONE);
    }

    /** The number of live children. */
    int liveCount() {
        return (int) (counts.get() & LIVE_MASK);
    }

    boolean isEmpty() {
        return liveCount() == 0;
    }

    /** The first node of the list (newest first); follow {@code nextSibling}, skip {@code detached}. */
    TaskletImpl<?> head() {
        return head;
    }

    /** The children that have not ended yet, newest first. */
    List<TaskletImpl<?>> snapshot() {
        List<TaskletImpl<?>> out = new ArrayList<>();
        for (TaskletImpl<?> n = head; n != null; n = n.nextSibling) {
            if (!n.detached) {
                out.add(n);
            }
        }
        return out;
    }
}
