package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A job lives under the tasklet that started it: cancelling that owner stops the job and leaves nothing
 * of it in the registry. Its {@code stream-job:NAME} tasklet used to run in the root scope and outlived
 * the owner.
 */
class StreamJobOwnershipTest {

    @Test
    void cancellingTheOwnerLeavesNothingOfTheJob() throws Exception {
        String name = "owned-job-" + System.nanoTime();
        AtomicReference<StreamJob<KeyValue>> started = new AtomicReference<>();
        CountDownLatch up = new CountDownLatch(1);
        TaskletScope owner = TaskletScope.supervise("job-owner-test").open();
        try {
            Tasklet<Void> t = owner.fork("owner", () -> {
                started.set(StreamJob.<KeyValue>builder(name)
                        .parse(KeyValue::parse)
                        .keyBy(KeyValue::key)
                        .shards(2)
                        .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                        .start());
                up.countDown();
                new CountDownLatch(1).await(); // runs the job until cancelled
            });
            up.await();
            started.get().emit("k 1");
            String before = Tasklets.snapshot().toText();
            assertTrue(before.contains("stream-job:" + name), before);
            t.cancel();
            owner.close();
            assertTrue(started.get().awaitTermination(Duration.ofSeconds(30)), "cancelled with its owner");
            String after = Tasklets.snapshot().toText();
            assertFalse(after.contains(name), () -> "left after the owner was cancelled:\n" + after);
        } finally {
            owner.close();
            StreamJob<KeyValue> job = started.get();
            if (job != null) {
                job.close();
            }
        }
    }
}
