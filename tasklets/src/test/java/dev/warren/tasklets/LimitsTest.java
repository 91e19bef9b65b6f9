package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Values that are accepted by their type but make no sense are refused, naming the value and the limit. */
class LimitsTest {

    static String refused(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void aRestartPolicyThatWouldSpinIsRefused() {
        // the case: a 1 ns window and no backoff restarted a failing child 327,000 times a second
        String m = refused(() -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 1, 10, Duration.ofNanos(1)));
        assertTrue(m.contains("window must be >= PT0.001S") && m.contains("was PT0.000000001S"), m);
        // a window that can be measured, but 10 restarts in 5 ms with no pause: 2,000 a second
        m = refused(() -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 1, 10, Duration.ofMillis(5)));
        assertTrue(m.contains("10 restarts within PT0.005S") && m.contains("initialBackoff of PT0S"), m);
        assertTrue(m.contains("at least PT0.01S") && m.contains("at least PT0.001S"), m);
        m = refused(() -> RestartPolicy.backoff(Duration.ZERO, Duration.ZERO)
                .withMaxRestarts(Integer.MAX_VALUE, Duration.ofHours(1)));
        assertTrue(m.contains("would spin"), m);
    }

    @Test
    void saneRestartPoliciesAreAccepted() {
        // paced by the pause
        new RestartPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1, 1_000_000, Duration.ofMillis(1));
        // paced by the rate limit: exactly 1,000 a second
        new RestartPolicy(Duration.ZERO, Duration.ZERO, 1, 10, Duration.ofMillis(10));
        // never restarts
        new RestartPolicy(Duration.ZERO, Duration.ZERO, 1, 0, Duration.ofMillis(1));
        assertEquals(10, RestartPolicy.backoff(Duration.ZERO, Duration.ZERO).maxRestarts());
    }

    @Test
    void hugeDurationsInARestartPolicyMeanForeverInsteadOfOverflowing() throws Exception {
        Duration forever = Duration.ofDays(365L * 1000);
        RestartPolicy p = new RestartPolicy(forever, forever, 2, 1, forever);
        assertEquals(Duration.ofNanos(Long.MAX_VALUE / 4), p.backoffFor(3));
        // a supervised failure consults the window: it must not throw on the child's thread
        AtomicInteger reported = new AtomicInteger();
        try (var scope = TaskletScope.supervise("huge-window")
                .restart(RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                        .withMaxRestarts(1, forever))
                .onFailure((child, failure, restart) -> reported.incrementAndGet())
                .open()) {
            scope.fork("fails once", () -> {
                throw new IllegalStateException("expected by the test");
            });
            scope.join();
        }
        assertEquals(2, reported.get(), "failed, restarted once, failed again, then the limit held");
    }

    @Test
    void aChannelBeyondItsLargestCapacitySaysSoInOurWords() {
        String m = refused(() -> Channel.bounded((1 << 30) + 1));
        assertTrue(m.contains("capacity must be <= 1073741824") && m.contains("was 1073741825"), m);
        assertTrue(!m.contains("power of 2 int"), "not JCTools' own message: " + m);
        m = refused(() -> Channel.<String>builder(Integer.MAX_VALUE).build());
        assertTrue(m.contains("was " + Integer.MAX_VALUE), m);
        assertEquals(1 << 30, Channel.MAX_CAPACITY);
    }
}
