package dev.warren.streaming.source;

import dev.warren.net.ListenerOptions;
import dev.warren.streaming.Source;
import dev.warren.tasklets.Uninterruptibly;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the network sources share: bound when the job starts them (so {@link #awaitPort} waits for the
 * bind and reports its failure), released by {@link #close()}, which waits, bounded, until the source's
 * tasklet has handed on what it had received and closed its socket. The subclass's {@code run} calls
 * {@link #bound} or {@link #bindFailed}, waits with {@link #awaitCloseRequest}, and ends with
 * {@link #finished}.
 */
abstract class BoundSource implements Source<String> {
    final String name;
    final ListenerOptions listener;
    private final String kind;
    private final CountDownLatch bound = new CountDownLatch(1);
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile RuntimeException bindFailure;
    private volatile boolean isBound;

    BoundSource(String kind, ListenerOptions listener) {
        this.kind = kind;
        this.name = listener.name();
        this.listener = listener;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The port the bound socket has. */
    abstract int boundPort();

    /** How long {@link #close()} waits for the source's tasklet to finish. */
    abstract Duration closeWait();

    final void bound() {
        isBound = true;
        bound.countDown();
    }

    final void bindFailed(RuntimeException e) {
        bindFailure = e;
        bound.countDown();
    }

    /** Waits until {@link #close()} is called. */
    final void awaitCloseRequest() throws InterruptedException {
        closeRequested.await();
    }

    /** Waits up to {@code millis} for {@link #close()}; true if it was called. */
    final boolean awaitCloseRequest(long millis) throws InterruptedException {
        return closeRequested.await(millis, TimeUnit.MILLISECONDS);
    }

    final void finished() {
        finished.countDown();
    }

    /**
     * Waits until the socket is bound and returns its port.
     *
     * @throws UncheckedIOException if binding failed (the port is in use, the address is not local...)
     * @throws IllegalStateException if the source was not bound within {@code timeout} (the job was not
     *     started, or the source was closed first)
     */
    public final int awaitPort(Duration timeout) throws InterruptedException {
        if (!bound.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(kind + " '" + name + "' not bound within " + timeout);
        }
        RuntimeException failure = bindFailure;
        if (failure != null) {
            throw failure;
        }
        return boundPort();
    }

    /**
     * Stops receiving and waits (bounded: see each source) until what was received was handed to the job
     * and the socket closed, so that the job cancels this source only after that.
     */
    @Override
    public final void close() {
        closeRequested.countDown();
        if (!isBound) {
            return; // never bound: nothing to drain
        }
        long millis = closeWait().toMillis();
        Uninterruptibly.awaitOnce(() -> finished.await(millis, TimeUnit.MILLISECONDS));
    }
}
