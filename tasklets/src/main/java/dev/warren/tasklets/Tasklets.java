package dev.warren.tasklets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The runtime's entry points: starting unstructured tasklets, finding the current one, and the
 * registry of everything alive.
 *
 * <pre>{@code
 * Tasklet<String> t = Tasklets.start("greeter", () -> "hello from " + Thread.currentThread().getName());
 * System.out.println(t.join());   // hello from greeter
 * }</pre>
 *
 * <p>Prefer a {@link TaskletScope} whenever the work has an owner that waits for it. Tasklets started
 * here belong to the runtime's root scope ("warren"), live until they end, and are shown at the top of
 * {@link #snapshot()}; a failure no one joins is logged at WARN.
 *
 * <p><b>Threading.</b> All methods may be called from any thread and never block.
 */
public final class Tasklets {
    private Tasklets() {}

    /** Starts {@code task} in a new tasklet of the root scope. */
    public static <T> Tasklet<T> start(String name, Callable<? extends T> task) {
        return ScopeCore.ROOT.fork(name, task);
    }

    /** Starts {@code task}, run for its effect, in a new tasklet of the root scope. */
    public static Tasklet<Void> start(String name, CheckedRunnable task) {
        Objects.requireNonNull(task, "task");
        return ScopeCore.ROOT.fork(name, () -> {
            task.run();
            return null;
        });
    }

    /** The tasklet the calling thread runs, or empty if the caller is not a tasklet. */
    public static Optional<Tasklet<?>> current() {
        return Optional.ofNullable(WaitHints.current());
    }

    /** The number of live tasklets (started and not yet ended). */
    public static int liveCount() {
        return WaitHints.LIVE.intValue();
    }

    /**
     * Tells the registry what the calling tasklet is about to block on ({@code what.toString()} is
     * shown), returning the previous hint for {@link #unblocked(Object)}. A no-op returning null when
     * the caller is not a tasklet. For blocking primitives built on the runtime (channels, job queues,
     * sockets):
     *
     * <pre>{@code
     * Object previous = Tasklets.blockingOn(this);
     * try { ...park... } finally { Tasklets.unblocked(previous); }
     * }</pre>
     */
    public static Object blockingOn(Object what) {
        return WaitHints.mark(what);
    }

    /** Restores the hint saved by {@link #blockingOn(Object)}. */
    public static void unblocked(Object previous) {
        WaitHints.restore(previous);
    }

    /** A snapshot of every live tasklet as a tree of scopes; see {@link RegistrySnapshot}. */
    public static RegistrySnapshot snapshot() {
        long now = System.nanoTime();
        List<ScopeInfo> tops = new ArrayList<>();
        tops.add(describe(ScopeCore.ROOT, now));
        List<ScopeCore> topLevel = new ArrayList<>(ScopeCore.TOP_LEVEL);
        for (ScopeCore innermost : ScopeCore.INNERMOST_ON_PLAIN_THREADS.values()) {
            ScopeCore.addOutwards(innermost, topLevel);
        }
        topLevel.sort(Comparator.comparingLong(s -> s.openedNanos));
        for (ScopeCore s : topLevel) {
            tops.add(describe(s, now));
        }
        return new RegistrySnapshot(List.copyOf(tops));
    }

    private static ScopeInfo describe(ScopeCore s, long now) {
        List<TaskletImpl<?>> kids = s.children.snapshot();
        kids.sort(Comparator.comparingLong(t -> t.id));
        List<TaskletInfo> children = new ArrayList<>(kids.size());
        for (TaskletImpl<?> t : kids) {
            children.add(describe(t, now));
        }
        String policy = s.policy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return new ScopeInfo(
                s.name,
                policy,
                s.owner == null && s != ScopeCore.ROOT ? s.ownerThreadName : null,
                Duration.ofNanos(now - s.openedNanos),
                s.isCancelled(),
                s.maxConcurrency,
                List.copyOf(children));
    }

    private static TaskletInfo describe(TaskletImpl<?> t, long now) {
        List<ScopeInfo> scopes = List.of();
        Set<ScopeCore> owned = t.ownedScopesOrNull();
        ScopeCore innermost = t.innermostScope();
        if ((owned != null && !owned.isEmpty()) || innermost != null) {
            List<ScopeCore> sorted = owned == null ? new ArrayList<>() : new ArrayList<>(owned);
            ScopeCore.addOutwards(innermost, sorted);
            sorted.sort(Comparator.comparingLong(s -> s.openedNanos));
            List<ScopeInfo> infos = new ArrayList<>(sorted.size());
            for (ScopeCore s : sorted) {
                infos.add(describe(s, now));
            }
            scopes = List.copyOf(infos);
        }
        Object waiting = t.waitingOn;
        return new TaskletInfo(
                t.id,
                t.name,
                t.state(),
                t.isCancelling(),
                Duration.ofNanos(now - t.startNanos),
                waiting == null ? null : waiting.toString(),
                t.restarts,
                scopes);
    }
}
