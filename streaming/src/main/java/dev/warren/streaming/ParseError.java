package dev.warren.streaming;

/**
 * A raw record that did not become an event, as delivered to a job's parse-error side output
 * ({@link StreamJob.Builder#onParseError}).
 *
 * @param source the name of the source that emitted it
 * @param raw the raw record (for an over-long line, its first characters)
 * @param reason why it was refused, e.g. the parser's exception message
 */
public record ParseError(String source, Object raw, String reason) {}
