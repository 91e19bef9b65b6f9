package dev.warren.tasklets.testing;

import dev.warren.tasklets.observe.PinEvent;
import dev.warren.tasklets.observe.PinningMonitor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails tests during which a virtual thread pinned its carrier in our code: a {@code jdk.VirtualThreadPinned}
 * JFR event whose stack has a frame of a class under {@value PinningMonitor#DEFAULT_PREFIX}. Registered for
 * every test class of every module that has the tasklets test-jar on its test class path, through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and JUnit's extension
 * autodetection (switched on in the root pom's surefire configuration).
 *
 * <p><b>How events are attributed.</b> JFR delivers events asynchronously, in chunks, about once a second.
 * Waiting for that after every test would cost up to a second per test, so the guard works in two steps:
 * <ol>
 *   <li>Per test (cost: two JFR mark events, a few hundred nanoseconds, plus a scan of the few pinning
 *       events already delivered): {@code beforeEach} and {@code afterEach} commit {@link PinningMonitor.Mark}s;
 *       {@code afterEach} fails the test at once if an offending event from its window has <em>already</em>
 *       been delivered. Nothing waits here.</li>
 *   <li>Per test class: {@code afterAll} calls {@link PinningMonitor#awaitDelivered} once (a forced JFR
 *       chunk rotation; a few milliseconds typically), then attributes every undelivered-until-now event
 *       of the class's window to the test whose window contains the event's start, and fails the class
 *       naming that test and showing the pinned stack.</li>
 * </ol>
 * Marks and events are compared on JFR's own clock, so a window is exact. Attribution is by time, not by
 * thread (a virtual thread started by a test has no link to it that JFR records): under JUnit's default
 * sequential execution that is exact; with parallel execution a pin may be reported against a test that
 * ran at the same time — the message shows the thread name and stack, which name the real culprit. An
 * event outside every test method (in {@code @BeforeAll}, or from a thread that outlived its test) fails
 * the class as "outside any test method". The shared monitor starts once per JVM (a fraction of a
 * second).
 *
 * <p><b>Each event fails one test.</b> An event that has failed a test (or that a test
 * {@linkplain #acknowledge acknowledged} because it pins on purpose) is not reported again, e.g. by an
 * enclosing class or by a test that runs a fixture through the JUnit testkit.
 *
 * <p><b>Threading.</b> JUnit calls the callbacks; they are safe under parallel execution. If JFR cannot
 * be started the guard prints one warning and does nothing.
 */
public final class NoPinningExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoPinningExtension.class);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<PinEvent> CLAIMED = ConcurrentHashMap.newKeySet();
    private static final Set<Long> ACKNOWLEDGED_THREADS = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private record Window(String test, PinningMonitor.Mark begin, PinningMonitor.Mark end) {}

    private record ClassState(PinningMonitor monitor, PinningMonitor.Mark begin, Queue<Window> windows) {}

    /**
     * Marks the pinning of these events' threads as expected (a test that pins on purpose, possibly seen
     * through its own {@link PinningMonitor}), so that no test fails because of those threads.
     */
    public static void acknowledge(Collection<PinEvent> events) {
        for (PinEvent e : events) {
            ACKNOWLEDGED_THREADS.add(e.threadId());
        }
    }

    private static PinningMonitor monitorOrNull() {
        try {
            return PinningMonitor.shared();
        } catch (RuntimeException | Error e) {
            if (WARNED.compareAndSet(false, true)) {
                System.err.println("NoPinningExtension: JFR is not available, pinning is not checked: " + e);
            }
            return null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PinningMonitor monitor = monitorOrNull();
        if (monitor != null) {
            context.getStore(NS)
                    .put(ClassState.class, new ClassState(monitor, monitor.mark(), new ConcurrentLinkedQueue<>()));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ClassState state = context.getStore(NS).get(ClassState.class, ClassState.class);
        if (state != null) {
            context.getStore(NS).put(Window.class, state.monitor().mark());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ClassState state = context.getStore(NS).get(ClassState.class, ClassState.class);
        PinningMonitor.Mark begin = context.getStore(NS).get(Window.class, PinningMonitor.Mark.class);
        if (state == null || begin == null) {
            return;
        }
        PinningMonitor.Mark end = state.monitor().mark();
        String test = testName(context);
        state.windows().add(new Window(test, begin, end));
        List<PinEvent> offending = claimOffending(state.monitor().events(begin, end));
        if (!offending.isEmpty()) {
            throw new AssertionError(
                    message(offending.stream().map(e -> new Blame(e, test)).toList()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        // remove() looks at this class's own store only, never at an enclosing class's
        ClassState state = context.getStore(NS).remove(ClassState.class, ClassState.class);
        if (state == null) {
            return;
        }
        PinningMonitor monitor = state.monitor();
        PinningMonitor.Mark end = monitor.mark();
        if (!monitor.awaitDelivered(DELIVERY_TIMEOUT)) {
            System.err.println("NoPinningExtension: JFR did not deliver events within " + DELIVERY_TIMEOUT
                    + "; pinning in " + context.getDisplayName() + " is checked only up to what arrived");
        }
        List<PinEvent> offending = claimOffending(monitor.events(state.begin(), end));
        if (offending.isEmpty()) {
            return;
        }
        List<Blame> blamed = new ArrayList<>();
        for (PinEvent e : offending) {
            blamed.add(new Blame(e, attribute(monitor, state.windows(), e.start())));
        }
        throw new AssertionError(message(blamed));
    }

    private static String attribute(PinningMonitor monitor, Collection<Window> windows, Instant start) {
        for (Window w : windows) {
            Optional<Instant> from = monitor.timeOf(w.begin());
            Optional<Instant> to = monitor.timeOf(w.end());
            if (from.isPresent() && to.isPresent() && !start.isBefore(from.get()) && start.isBefore(to.get())) {
                return w.test();
            }
        }
        return null;
    }

    private static List<PinEvent> claimOffending(List<PinEvent> events) {
        List<PinEvent> out = new ArrayList<>();
        for (PinEvent e : events) {
            if (e.kind().equals("pinned")
                    && e.ours()
                    && !blockedInsideTheJvm(e)
                    && !ACKNOWLEDGED_THREADS.contains(e.threadId())
                    && CLAIMED.add(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * True when the thread waited inside the JVM's class loading rather than in a blocking call of ours:
     * either the top frame is plain bytecode of ours or of a library (the JVM resolving a class that
     * another thread was loading at that moment — e.g. eight receivers creating their first
     * {@code ChannelClosedException} at once, or first calling a JCTools method), or the frames above our first one are the class loader's (its per-class lock, taken
     * under the JVM's resolution frame). Blocking calls of ours under a monitor or a native frame have
     * the JDK's park/sleep/read on top instead. Likewise a wait for another thread to finish initializing
     * a JDK class (the first sockets of a JVM wait for {@code sun.nio.ch.Poller}): a one-time cost of the
     * JDK, not something our code can avoid. And a contended {@code synchronized} inside the JDK's own
     * code that the JVM could not preempt (JDK 25 reports {@code Freeze or preempt failed; Contended
     * monitor enter} with, e.g., {@code NioSocketImpl.getOutputStream} or {@code Thread.blockedOn} on
     * top): the JDK's lock, held for microseconds, not a blocking call of ours.
     */
    private static final String JDK_CLASS_INIT = "Waited for initialization of ";

    private static final String CONTENDED_MONITOR = "Contended monitor enter";

    static boolean blockedInsideTheJvm(PinEvent e) {
        String reason = e.reason() == null ? "" : e.reason();
        int init = reason.indexOf(JDK_CLASS_INIT);
        if (init >= 0 && !reason.startsWith(PinningMonitor.DEFAULT_PREFIX, init + JDK_CLASS_INIT.length())) {
            return true;
        }
        if (reason.contains(CONTENDED_MONITOR)
                && !e.frames().isEmpty()
                && !e.frames().get(0).startsWith(PinningMonitor.DEFAULT_PREFIX)) {
            return true; // a monitor of the JDK's (or a library's), taken inside its own code
        }
        if (!e.frames().isEmpty() && !isJdkFrame(e.frames().get(0))) {
            return true; // plain bytecode on top (ours or a library's): the JVM resolving, not a blocking call
        }
        for (String frame : e.frames()) {
            if (frame.startsWith(PinningMonitor.DEFAULT_PREFIX)) {
                return false;
            }
            if (frame.startsWith("jdk.internal.loader.") || frame.startsWith("java.lang.ClassLoader.")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJdkFrame(String frame) {
        return frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.");
    }

    private record Blame(PinEvent event, String test) {}

    private static String testName(ExtensionContext context) {
        return context.getRequiredTestClass().getSimpleName() + " > " + context.getDisplayName();
    }

    private static String message(List<Blame> blamed) {
        StringBuilder out = new StringBuilder();
        out.append("A virtual thread pinned its carrier in our code (")
                .append(PinningMonitor.DEFAULT_PREFIX)
                .append("*), ")
                .append(blamed.size())
                .append(blamed.size() == 1 ? " event" : " events")
                .append(":\n");
        for (Blame b : blamed) {
            out.append("- during ")
                    .append(
                            b.test() == null
                                    ? "no test method (class setup/teardown, or a thread that outlived its test)"
                                    : "test '" + b.test() + "'")
                    .append(", our frame ")
                    .append(b.event().ourFrame())
                    .append('\n');
            out.append("  ")
                    .append(b.event().describe().replace("\n", "\n  ").stripTrailing())
                    .append('\n');
        }
        out.append("Do not block inside synchronized (pins on JDK 21-23; use ReentrantLock), in a static initializer,"
                + " or under a native frame.");
        return out.toString();
    }
}
