package dev.warren.streaming.source;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Static factories for the built-in {@link Source}s of lines.
 *
 * <p>Line sources split on {@code \n} (a preceding {@code \r} is removed), decode UTF-8, and hand every
 * line, empty ones included, to the job's parser. A line longer than {@code maxLineLength} characters is
 * not parsed: the source skips to the next newline and {@linkplain dev.warren.streaming.Emitter#reject
 * reports} it as a parse error with its first characters. A source ends at end of input.
 */
public final class Sources {
    /** The default longest line, in characters. */
    public static final int DEFAULT_MAX_LINE = 8192;

    private Sources() {}

    /** The lines of the file at {@code path}, read once from the start. */
    public static Source<String> lines(Path path) {
        return lines(path, DEFAULT_MAX_LINE);
    }

    /** The lines of the file at {@code path}, at most {@code maxLineLength} characters each. */
    public static Source<String> lines(Path path, int maxLineLength) {
        Objects.requireNonNull(path, "path");
        return new LineSource(
                "file:" + path, () -> java.nio.file.Files.newInputStream(path), true, checkMax(maxLineLength));
    }

    /**
     * The lines of {@code in}, named {@code name}. The source closes {@code in} when it ends or the job
     * shuts down.
     */
    public static Source<String> lines(String name, InputStream in, int maxLineLength) {
        Objects.requireNonNull(in, "in");
        return new LineSource(Objects.requireNonNull(name, "name"), () -> in, true, checkMax(maxLineLength));
    }

    /** The lines of standard input (which is not closed at the end). */
    public static Source<String> stdin() {
        return new LineSource("stdin", () -> System.in, false, DEFAULT_MAX_LINE);
    }

    static int checkMax(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxLineLength must be > 0, was " + max);
        }
        return max;
    }

    static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
