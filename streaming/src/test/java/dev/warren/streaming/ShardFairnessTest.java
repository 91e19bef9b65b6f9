package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Tasklets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Shards whose inboxes never run dry (more shards than carriers, each slower than the emitters feeding
 * it) never wait: they must still leave room for other tasklets. Without fair turns ({@code
 * -Dwarren.fairness.sliceMicros=0}) the bystander below never runs while the emitters go on.
 */
class ShardFairnessTest {
    private static final int LIVENESS_SECONDS = 60;

    @Test
    void shardsWithDeepInboxesDoNotStarveABystander() throws Exception {
        int shards = Math.min(32, 2 * Runtime.getRuntime().availableProcessors());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> emitters = new ArrayList<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("deep")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(shards)
                .queueCapacity(65_536)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .handle((e, s) -> {
                    long t = System.nanoTime();
                    // far slower than the emitters, so the inboxes stay full (and quick once the test is over)
                    while (!stop.get() && System.nanoTime() - t < 50_000) {
                        Thread.onSpinWait();
                    }
                })
                .start();
        try {
            for (int i = 0; i < shards; i++) {
                int me = i;
                emitters.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (long n = 0; !stop.get(); n++) {
                            job.emit("k" + me + "-" + (n & 63) + " 1");
                        }
                    } catch (InterruptedException | IllegalStateException e) {
                        // the test is over
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(LIVENESS_SECONDS))
                    .until(() -> job.stats().eventsIn() > 10_000);
            CountDownLatch ran = new CountDownLatch(1);
            Tasklets.start("bystander", ran::countDown); // from this platform thread, as a new connection's is
            assertTrue(ran.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "the bystander never ran");
            for (Thread t : emitters) {
                assertTrue(t.isAlive(), "an emitter stopped before the bystander ran");
            }
        } finally {
            stop.set(true); // first: the handler stops working, so the close drains the inboxes quickly
            for (Thread t : emitters) {
                t.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
            }
            job.close();
        }
    }
}
