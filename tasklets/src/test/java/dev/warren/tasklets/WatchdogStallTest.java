package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * A tasklet spinning without ever waiting on every carrier stalls the scheduler: the watchdog, on its
 * platform thread, reports it with the spinners' stacks, and reports the recovery once they stop.
 */
@Timeout(120)
class WatchdogStallTest {
    private static volatile boolean release;

    @RepeatedTest(3)
    void spinningOnEveryCarrierIsReportedAsAStallNamingTheSpinners() throws Exception {
        Duration before = Watchdog.stallThreshold();
        Watchdog.stallThreshold(Duration.ofMillis(200));
        Watchdog.start();
        int carriers = SchedulerLoad.PARALLELISM;
        long t0 = System.currentTimeMillis();
        release = false;
        CountDownLatch spinning = new CountDownLatch(carriers);
        List<Tasklet<Void>> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < carriers; i++) {
                spinners.add(Tasklets.start("stall-spinner-" + i, () -> {
                    spinning.countDown();
                    spin();
                }));
            }
            spinning.await(); // every carrier now runs a spinner, until release
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> stallSince(t0) != null);
            Watchdog.Event stall = stallSince(t0);
            assertTrue(stall.lateMillis() >= 200, "waited " + stall.lateMillis());
            for (int i = 0; i < carriers; i++) {
                String name = "stall-spinner-" + i;
                assertTrue(
                        stall.holders().stream()
                                .anyMatch(h -> h.name().equals(name)
                                        && h.stack().stream().anyMatch(f -> f.contains("WatchdogStallTest.spin"))),
                        name + " in " + stall.holders());
            }
            assertTrue(
                    stall.holders().stream().anyMatch(h -> h.name().startsWith("carrier ")),
                    stall.holders().toString());
        } finally {
            release = true;
            for (Tasklet<Void> s : spinners) {
                s.join();
            }
            Watchdog.stallThreshold(before);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() ->
                        Watchdog.events().stream().anyMatch(e -> e.kind().equals("recovered") && e.atMillis() >= t0));
    }

    private static void spin() {
        while (!release) {
            Thread.onSpinWait();
        }
    }

    private static Watchdog.Event stallSince(long t0) {
        return Watchdog.events().stream()
                .filter(e -> e.kind().equals("stalled") && e.atMillis() >= t0)
                .findFirst()
                .orElse(null);
    }
}
