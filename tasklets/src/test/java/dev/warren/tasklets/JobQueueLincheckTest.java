package dev.warren.tasklets;

import dev.warren.tasklets.testing.Proof;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The adding and stopping side of {@link JobQueue} (tryAdd, add without waiting, shutdown,
 * shutdownNow, the backlog and rejected counters) against a bounded counter with a shut-down flag, in
 * Lincheck's stress mode.
 *
 * <p>To make the specification deterministic, each instance's only worker ({@code maxConcurrency(1)})
 * is held in a job that waits on a latch before the scenario starts, so no job leaves the backlog
 * while the scenario runs; the validation function at the end of each invocation releases it and
 * closes the queue, and checks that the queue terminates.
 *
 * <p>Not under the model checker: the workers are tasklets, virtual threads the queue starts itself,
 * and their parking and scheduling belong to the JDK's virtual-thread scheduler, which Lincheck's
 * model checker does not control (it switches only between the threads it runs the scenario on). The
 * worker side (concurrency limits, every accepted job run exactly once, shutdown racing adds) is
 * covered by {@link JobQueueStressTest}.
 */
@Tag(Proof.TAG)
class JobQueueLincheckTest {
    private static final int BACKLOG = 2;

    public static final class Ops {
        private final CountDownLatch gate = new CountDownLatch(1);
        private final JobQueue q =
                JobQueue.builder("lincheck").maxConcurrency(1).backlog(BACKLOG).start();

        public Ops() throws InterruptedException {
            CountDownLatch running = new CountDownLatch(1);
            if (!q.tryAdd(() -> {
                running.countDown();
                gate.await();
            })) {
                throw new IllegalStateException("the holding job was refused");
            }
            running.await();
        }

        @Operation
        public boolean tryAdd() {
            return q.tryAdd(() -> {});
        }

        @Operation
        public boolean addWithoutWaiting() throws InterruptedException {
            return q.add(() -> {}, Duration.ZERO);
        }

        @Operation
        public void shutdown() {
            q.shutdown();
        }

        @Operation
        public int shutdownNow() {
            return q.shutdownNow();
        }

        @Operation
        public int backlog() {
            return q.stats().backlog();
        }

        @Operation
        public long rejected() {
            return q.stats().rejected();
        }

        @Operation
        public boolean isShutdown() {
            return q.isShutdown();
        }

        @Validate
        public void releaseAndClose() throws InterruptedException {
            gate.countDown();
            q.shutdown();
            if (!q.awaitTermination(Duration.ofSeconds(30))) {
                throw new AssertionError("queue did not terminate: " + q.stats());
            }
        }
    }

    /** A bounded counter with a shut-down flag and libmtev's rejected count. */
    public static final class Spec {
        private int backlog;
        private long rejected;
        private boolean shutdown;

        public boolean tryAdd() {
            if (shutdown || backlog >= BACKLOG) {
                rejected++;
                return false;
            }
            backlog++;
            return true;
        }

        public boolean addWithoutWaiting() {
            if (shutdown) {
                throw new IllegalStateException("shut down");
            }
            if (backlog >= BACKLOG) {
                rejected++;
                return false;
            }
            backlog++;
            return true;
        }

        public void shutdown() {
            shutdown = true;
        }

        public int shutdownNow() {
            shutdown = true;
            int n = backlog;
            backlog = 0;
            return n;
        }

        public int backlog() {
            return backlog;
        }

        public long rejected() {
            return rejected;
        }

        public boolean isShutdown() {
            return shutdown;
        }
    }

    @Test
    void addsAndShutdownStress() {
        new StressOptions()
                .iterations(Proof.scale(5, 30))
                .invocationsPerIteration(Proof.scale(250, 3_000))
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(Ops.class);
    }
}
