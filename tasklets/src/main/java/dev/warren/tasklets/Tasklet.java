package dev.warren.tasklets;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * A named virtual thread with an owner: the unit of concurrency in Warren.
 *
 * <p>Tasklets are started only through the runtime, by {@link TaskletScope#fork} or
 * {@link Tasklets#start}, so every tasklet is registered with its parent scope and visible in
 * {@link Tasklets#snapshot()} for as long as it lives.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. {@link #join()} blocks the caller
 * until the tasklet is terminal; all the other methods return at once.
 *
 * <p><b>Cancellation.</b> {@link #cancel()} marks the tasklet cancelled and interrupts its thread, and
 * cancels every scope the tasklet has open, so the whole subtree stops. Code in a tasklet must treat
 * {@link InterruptedException} and {@link java.nio.channels.ClosedByInterruptException} as "stop now".
 * A tasklet whose cancellation was requested ends {@link TaskletState#CANCELLED} if its task returns, or
 * throws because of the cancellation (an {@link InterruptedException}, an interrupted I/O call, a
 * {@link CancellationException} among the exception's causes, or a {@link java.net.SocketException}
 * while the interrupt is still pending). A task that fails for a reason of its own ends
 * {@link TaskletState#FAILED} even if the cancel came meanwhile: a failure that happened is never
 * reported as a cancel.
 *
 * <p><b>Memory consistency.</b> Actions of the tasklet happen-before a {@code join} or {@code result}
 * call that observes it terminal.
 *
 * @param <T> the type of the task's result ({@code Void} for tasks run for effect)
 */
public interface Tasklet<T> {

    /** A process-wide unique, increasing id (1, 2, 3, ...). */
    long id();

    /** The name given at start; also the name of the tasklet's virtual thread. */
    String name();

    /** The current state; see {@link TaskletState}. */
    TaskletState state();

    /**
     * Waits until the tasklet is terminal and returns its result.
     *
     * @throws TaskletFailedException if the task threw (the cause is what it threw)
     * @throws CancellationException if the tasklet was cancelled
     * @throws InterruptedException if the calling thread was interrupted while waiting
     */
    T join() throws InterruptedException;

    /**
     * Like {@link #join()}, waiting at most {@code timeout}.
     *
     * @throws TimeoutException if the tasklet is still not terminal after {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    T join(Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * The result of a terminal tasklet, without waiting.
     *
     * @throws IllegalStateException if the tasklet is not terminal yet
     * @throws TaskletFailedException if the task threw
     * @throws CancellationException if the tasklet was cancelled
     */
    T result();

    /**
     * Requests cancellation: marks the tasklet cancelled, interrupts its thread and cancels the scopes
     * it has open. Returns at once; {@link #join()} to wait for the tasklet to stop.
     *
     * @return true if this call requested the cancellation, false if the tasklet was already terminal
     *     or already being cancelled
     */
    boolean cancel();

    /** True once the tasklet is terminal. */
    default boolean isDone() {
        return state().isTerminal();
    }
}
