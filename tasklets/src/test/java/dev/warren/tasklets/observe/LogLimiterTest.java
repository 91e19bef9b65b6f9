package dev.warren.tasklets.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest {

    @Test
    void theFirstLinePassesThenOnePerPeriodWithTheCountHeldBack() {
        LogLimiter limiter = new LogLimiter(Duration.ofMillis(200));
        assertEquals(0, limiter.admit());
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, limiter.admit());
        }
        AtomicLong passed = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long h = limiter.admit();
            passed.set(h);
            return h >= 0;
        });
        assertTrue(passed.get() >= 1000, "held back " + passed.get());
        assertEquals(" (1,000 more in the last 200 ms)", limiter.suffix(1000));
        assertEquals("", limiter.suffix(0));
        assertEquals(" (3 more in the last 10 s)", new LogLimiter(Duration.ofSeconds(10)).suffix(3));
        assertEquals(" (3 more in the last 2 min)", new LogLimiter(Duration.ofMinutes(2)).suffix(3));
    }

    @Test
    void manyThreadsLetExactlyOneLineThroughPerPeriod() throws Exception {
        LogLimiter limiter = new LogLimiter(Duration.ofHours(1));
        AtomicLong passed = new AtomicLong();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (limiter.admit() >= 0) {
                        passed.incrementAndGet();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, passed.get());
    }

    @Test
    void thePeriodIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LogLimiter(Duration.ZERO));
        assertTrue(e.getMessage().contains("period must be > 0, was PT0S"), e.getMessage());
    }
}
