package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RuntimeMetricsTest {

    private static double sample(String text, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), "no sample " + series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void taskletsStartedAndEndedByStateAreCounted() throws Exception {
        Tasklets.start("warm-up", () -> {}).join();
        String before = MetricRegistry.global().prometheusText();
        List<Tasklet<?>> ts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            ts.add(Tasklets.start("metrics-test-" + i, () -> {
                if (n < 3) {
                    throw new IllegalStateException("planned failure " + n);
                }
                return n;
            }));
        }
        for (Tasklet<?> t : ts) {
            try {
                t.join();
            } catch (TaskletFailedException expected) {
                // three of them fail on purpose
            }
        }
        String after = MetricRegistry.global().prometheusText();
        assertEquals(
                3,
                sample(after, "warren_tasklets_ended_total{state=\"failed\"}")
                        - sample(before, "warren_tasklets_ended_total{state=\"failed\"}"));
        assertTrue(
                sample(after, "warren_tasklets_started_total") - sample(before, "warren_tasklets_started_total") >= 5);
        assertTrue(sample(after, "warren_tasklets_live") >= 0);
        assertTrue(after.contains("# TYPE warren_tasklets_live gauge\n"), after);
    }

    @Test
    void jobQueuesAreLabelledByName() throws Exception {
        try (JobQueue q =
                JobQueue.builder("metrics-q \"quoted\"").maxConcurrency(2).start()) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                fs.add(q.submit(() -> n));
            }
            for (CompletableFuture<Integer> f : fs) {
                f.get();
            }
            // A worker counts a job when it comes back for the next one, just after the job's future
            // completed: the count reaches 10 shortly after the last get().
            String completed = "warren_jobq_jobs_completed_total{queue=\"metrics-q \\\"quoted\\\"\"}";
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> sample(MetricRegistry.global().prometheusText(), completed) == 10);
            String text = MetricRegistry.global().prometheusText();
            assertEquals(10, sample(text, completed));
            assertEquals(0, sample(text, "warren_jobq_backlog{queue=\"metrics-q \\\"quoted\\\"\"}"));
        }
    }
}
