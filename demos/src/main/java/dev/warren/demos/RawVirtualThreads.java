package dev.warren.demos;

import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/**
 * The baseline of {@code ./tasklets_demo}: plain virtual threads, started and released the way the demo
 * starts and releases its tasklets (one parked on a latch each, all released at once, each joined), with
 * no scope, no registry and no channel. The one place outside the runtime allowed to start a bare virtual
 * thread: it is what the runtime is measured against.
 */
final class RawVirtualThreads {
    /** What one run measured; {@code heapParked} is the used heap while all were parked. */
    record Result(long spawnNanos, long heapParked, long releaseNanos) {}

    private RawVirtualThreads() {}

    static Result parkAndRelease(int count) throws InterruptedException {
        return parkAndRelease(count, () -> 0);
    }

    /** Starts {@code count} virtual threads parked on one latch, measures, releases and joins them all. */
    static Result parkAndRelease(int count, LongSupplier heapWhileParked) throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(count);
        Thread[] threads = new Thread[count];
        Thread.Builder builder = Thread.ofVirtual().name("parked");
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            threads[i] = builder.start(() -> {
                parked.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        long spawnNanos = System.nanoTime() - t0;
        parked.await();
        long heap = heapWhileParked.getAsLong();
        long t1 = System.nanoTime();
        gate.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return new Result(spawnNanos, heap, System.nanoTime() - t1);
    }
}
