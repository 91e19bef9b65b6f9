package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A job queue writes its failed and rejected jobs to the {@code jobq} stream, and nothing while it is off. */
class JobQueueLogStreamTest {

    @Test
    void failuresAndRejectionsAreLoggedOnlyWhileOn() throws Exception {
        try (JobQueue q = JobQueue.builder("logq").maxConcurrency(1).backlog(1).start()) {
            long before = LogStreams.JOBQ.lines();
            Future<Object> off = q.submit(() -> {
                throw new IllegalStateException("boom while off");
            });
            assertThrows(ExecutionException.class, off::get);
            assertEquals(before, LogStreams.JOBQ.lines(), "off: nothing logged");

            LogStreams.JOBQ.enabled(true);
            try {
                Future<Object> on = q.submit(() -> {
                    throw new IllegalStateException("boom while on");
                });
                assertThrows(ExecutionException.class, on::get);
                assertTrue(
                        texts().stream()
                                .anyMatch(l -> l.contains("jobq 'logq': job failed") && l.contains("boom while on")),
                        texts().toString());
                q.shutdown();
                assertFalse(q.tryAdd(() -> {}));
                assertTrue(texts().stream().anyMatch(l -> l.contains("jobq 'logq': job rejected")), texts().toString());
            } finally {
                LogStreams.JOBQ.enabled(false);
            }
        }
    }

    private static java.util.List<String> texts() {
        return LogStreams.JOBQ.read(-1, -1).stream().map(LogStream.Line::text).toList();
    }
}
