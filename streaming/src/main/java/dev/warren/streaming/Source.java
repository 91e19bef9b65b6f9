package dev.warren.streaming;

/**
 * Something that produces raw records for a job: a file, stdin, a UDP port, a TCP listener. The job
 * runs each source in its own tasklet, in the job's scope, calling {@link #run} once; the source reads
 * its input in plain blocking style and pushes every record into the {@link Emitter} (which parses,
 * keys and routes it, applying the source's backpressure policy).
 *
 * <pre>{@code
 * Source<String> numbers = Source.of("numbers", out -> {
 *     for (int i = 0; i < 1000; i++) out.emit("k" + (i % 10) + " " + i);
 * });
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@code run} returns when the input is exhausted (end of file) or throws; a source
 * that ends does not end the job. When the job shuts down it first calls {@link #close()} (from the
 * shutting-down thread, to unblock a read that ignores interrupts, e.g. by closing a socket), then
 * cancels the source's tasklet and waits for {@code run} to return. {@code run} must treat
 * {@link InterruptedException} (also from {@code emit}) as "stop now".
 *
 * @param <T> the raw record type
 */
public interface Source<T> {

    /** The source's name, unique within a job (statistics, tasklet names). */
    String name();

    /** Reads the input and emits every record; called once, on the source's own tasklet. */
    void run(Emitter<T> out) throws Exception;

    /** Unblocks {@link #run} at shutdown; called from another tasklet. The default does nothing. */
    default void close() {}

    /**
     * Records lost before this source could read them, e.g. datagrams the kernel dropped because the
     * socket's buffer was full; {@code -1} if such losses are possible but unknown. Shown as
     * {@link dev.warren.streaming.SourceStats#upstreamDrops()}; may be called from any thread. The default
     * (a source that cannot lose input, such as a file) is 0.
     */
    default long upstreamDrops() {
        return 0;
    }

    /** A source from a name and a body for {@link #run}. */
    static <T> Source<T> of(String name, Body<T> body) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(body, "body");
        return new Source<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void run(Emitter<T> out) throws Exception {
                body.run(out);
            }

            @Override
            public String toString() {
                return "Source[" + name + "]";
            }
        };
    }

    /**
     * The body of a source made with {@link #of}.
     *
     * @param <T> the raw record type
     */
    @FunctionalInterface
    interface Body<T> {
        /** See {@link Source#run}. */
        void run(Emitter<T> out) throws Exception;
    }
}
