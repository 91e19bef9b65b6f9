package dev.warren.tasklets.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test helper that makes a virtual thread pin its carrier on purpose, on any JDK from 21 on.
 *
 * <p>It starts a virtual thread that, while holding a monitor, initializes a fresh hidden copy of
 * {@link SleepsInClinit}, whose static initializer sleeps {@value #PIN_MILLIS} ms. On JDK 21–23 both the
 * monitor and the VM frame of class initialization pin; on JDK 24+ (JEP 491) monitors no longer pin but
 * blocking inside {@code <clinit>} still does ({@code pinnedReason = "VM call to ...<clinit> on stack"}).
 * The pinned stack holds {@code dev.warren.tasklets.testing.SleepsInClinit.<clinit>}.
 *
 * <p><b>Threading.</b> {@link #pin(String)} blocks the caller until the pinning thread has ended.
 */
public final class PinCarrier {
    /** How long the initializer blocks. */
    static final long PIN_MILLIS = 20;

    private static final Object MONITOR = new Object();
    private static final byte[] CLASS_BYTES = load();

    private PinCarrier() {}

    private static byte[] load() {
        try (InputStream in = PinCarrier.class.getResourceAsStream("SleepsInClinit.class")) {
            if (in == null) {
                throw new IllegalStateException("SleepsInClinit.class not found next to PinCarrier");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one pinning virtual thread named {@code threadName} and waits for it to end. */
    public static void pin(String threadName) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofVirtual().name(threadName).start(() -> {
            try {
                synchronized (MONITOR) {
                    MethodHandles.lookup().defineHiddenClass(CLASS_BYTES, true);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw new AssertionError("could not run the pinning class initializer", failure.get());
        }
    }
}
