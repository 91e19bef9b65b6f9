package dev.warren.tasklets.testing;

import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Blocks a virtual thread the right way (a ReentrantLock, not a monitor): must pass under the guard. */
@Tag("pinning-fixture")
class DoesNotPinFixture {
    private final ReentrantLock lock = new ReentrantLock();

    @Test
    void sleepsUnderAReentrantLock() throws InterruptedException {
        Thread t = Thread.ofVirtual().name("fixture-polite").start(() -> {
            lock.lock();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        t.join();
    }
}
