package dev.warren.streaming;

/**
 * Turns a raw record (a line, a datagram, a frame) into an event; trafilo's {@code parse} callback.
 *
 * <p>A parser signals a bad record by throwing (any exception) or returning null: the job counts it as
 * a parse error ({@link SourceStats#parseErrors()}), hands a {@link ParseError} to the job's parse-error
 * side output, and carries on. Parsers run on the emitting tasklet (a source, or the caller of
 * {@link Emitter#emit}), possibly on several at once, so they must be thread-safe.
 *
 * @param <T> the raw record type
 * @param <E> the event type
 */
@FunctionalInterface
public interface Parser<T, E> {

    /** The event in {@code raw}; throws or returns null if {@code raw} is malformed. */
    E parse(T raw) throws Exception;
}
