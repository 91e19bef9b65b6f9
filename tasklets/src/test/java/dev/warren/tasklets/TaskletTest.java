package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskletTest {

    @Test
    void startRunsTheTaskOnANamedVirtualThreadAndJoinReturnsItsResult() throws Exception {
        Tasklet<String> t = Tasklets.start("greeter", () -> {
            Thread me = Thread.currentThread();
            return me.getName() + " virtual=" + me.isVirtual();
        });
        assertEquals("greeter virtual=true", t.join());
        assertEquals("greeter", t.name());
        assertEquals(TaskletState.DONE, t.state());
        assertTrue(t.isDone());
        assertEquals("greeter virtual=true", t.result());
    }

    @Test
    void idsAreUniqueAndIncreasing() throws Exception {
        Tasklet<Void> a = Tasklets.start("a", () -> {});
        Tasklet<Void> b = Tasklets.start("b", () -> {});
        assertTrue(b.id() > a.id());
        a.join();
        b.join();
    }

    @Test
    void aFailureIsRethrownWithTheOriginalExceptionAsCause() throws Exception {
        IOException boom = new IOException("disk on fire");
        Tasklet<Void> t = Tasklets.start("writer", () -> {
            throw boom;
        });
        TaskletFailedException e = assertThrows(TaskletFailedException.class, t::join);
        assertSame(boom, e.getCause());
        assertEquals("writer", e.taskletName());
        assertTrue(e.getMessage().contains("writer"), e.getMessage());
        assertEquals(TaskletState.FAILED, t.state());
        assertSame(boom, assertThrows(TaskletFailedException.class, t::result).getCause());
    }

    @Test
    void cancelInterruptsASleepingTaskletAndJoinThrowsCancellationException() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        Tasklet<Void> t = Tasklets.start("sleeper", () -> {
            sleeping.countDown();
            Thread.sleep(Duration.ofHours(1));
        });
        sleeping.await();
        assertTrue(t.cancel());
        CancellationException e = assertThrows(CancellationException.class, t::join);
        assertTrue(e.getMessage().contains("sleeper"), e.getMessage());
        assertEquals(TaskletState.CANCELLED, t.state());
        assertFalse(t.cancel(), "cancelling a terminal tasklet is a no-op");
    }

    @Test
    void aCancelledTaskletEndsCancelledEvenIfItsTaskSwallowsTheInterrupt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Tasklet<String> t = Tasklets.start("stubborn", () -> {
            started.countDown();
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException swallowed) {
                return "finished anyway";
            }
            return "slept";
        });
        started.await();
        t.cancel();
        assertThrows(CancellationException.class, t::join);
        assertEquals(TaskletState.CANCELLED, t.state());
    }

    @Test
    void timedJoinThrowsTimeoutExceptionWhileTheTaskletRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Tasklet<Integer> t = Tasklets.start("slow", () -> {
            release.await();
            return 42;
        });
        TimeoutException e = assertThrows(TimeoutException.class, () -> t.join(Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("slow"), e.getMessage());
        assertThrows(IllegalStateException.class, t::result);
        release.countDown();
        assertEquals(42, t.join(Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class, () -> t.join(Duration.ofMillis(-1)));
    }

    @Test
    void aTaskletCannotJoinItself() throws Exception {
        AtomicReference<Tasklet<?>> self = new AtomicReference<>();
        CountDownLatch published = new CountDownLatch(1);
        Tasklet<Throwable> t = Tasklets.start("narcissus", () -> {
            published.await();
            try {
                self.get().join();
                return null;
            } catch (IllegalStateException expected) {
                return expected;
            }
        });
        self.set(t);
        published.countDown();
        Throwable e = t.join();
        assertTrue(e.getMessage().contains("cannot join itself"), String.valueOf(e));
    }

    @Test
    void currentIsTheRunningTaskletAndEmptyElsewhere() throws Exception {
        assertTrue(Tasklets.current().isEmpty());
        Tasklet<Long> t = Tasklets.start(
                "who-am-i", () -> Tasklets.current().orElseThrow().id());
        assertEquals(t.id(), t.join());
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        NullPointerException n1 = assertThrows(NullPointerException.class, () -> Tasklets.start(null, () -> "x"));
        assertTrue(n1.getMessage().contains("name"), n1.getMessage());
        NullPointerException n2 =
                assertThrows(NullPointerException.class, () -> Tasklets.start("x", (CheckedRunnable) null));
        assertTrue(n2.getMessage().contains("task"), n2.getMessage());
    }

    @Test
    void theRegistryShowsALiveTaskletAndWhatItWaitsOnThenForgetsIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Tasklet<Void> t = Tasklets.start("registered", () -> {
            Object previous = Tasklets.blockingOn("the release latch");
            try {
                release.await();
            } finally {
                Tasklets.unblocked(previous);
            }
        });
        await().until(() -> Tasklets.snapshot()
                .find(i -> i.id() == t.id())
                .map(i -> "the release latch".equals(i.waitingOn()))
                .orElse(false));
        TaskletInfo info = Tasklets.snapshot().find(i -> i.id() == t.id()).orElseThrow();
        assertEquals("registered", info.name());
        assertEquals(TaskletState.RUNNING, info.state());
        assertNotEquals(null, info.age());
        release.countDown();
        t.join();
        assertTrue(Tasklets.snapshot().find(i -> i.id() == t.id()).isEmpty());
    }
}
