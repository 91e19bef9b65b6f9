package dev.warren.streaming.sink;

import dev.warren.streaming.window.WindowResult;
import dev.warren.tasklets.Channel;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Static factories for the built-in {@link WindowSink}s.
 *
 * <p>The JSON-lines sinks write one object per window: {@code {"key":"k1","start":S,"end":E,...}} followed
 * by the result's fields — for {@link dev.warren.streaming.window.Stats},
 * {@code "count":N,"sum":S,"min":m,"max":M}; for a number, {@code "value":V}; otherwise
 * {@code "value":"<toString>"}. The key is written with {@code String.valueOf}.
 */
public final class Sinks {
    private Sinks() {}

    /** Calls {@code callback} with every result (on the shard tasklets; see {@link WindowSink}). */
    public static <K, R, S> WindowSink<K, R, S> callback(Consumer<? super WindowResult<K, R>> callback) {
        Objects.requireNonNull(callback, "callback");
        return (result, state) -> callback.accept(result);
    }

    /**
     * Sends every result to {@code channel}, blocking the shard while it is full (under the channel's
     * {@code BLOCK} policy). The channel is closed when the job ends, so a reader sees every result and
     * then the closed signal.
     */
    public static <K, R, S> WindowSink<K, R, S> channel(Channel<WindowResult<K, R>> channel) {
        return new ChannelSink<>(Objects.requireNonNull(channel, "channel"));
    }

    /**
     * One window result as the JSON object {@link #jsonLines} writes (without the newline): {@code key},
     * {@code start}, {@code end}, then {@code count}, {@code sum}, {@code min}, {@code max} for
     * {@link dev.warren.streaming.window.Stats} results or {@code value} for others. Thread-safe.
     */
    public static String json(WindowResult<?, ?> result) {
        String line = JsonLinesSink.format(result);
        return line.substring(0, line.length() - 1);
    }

    /**
     * Writes every result as a JSON line to {@code out}, which is flushed (not closed) when the job ends
     * and at most every {@code 64 KiB} before.
     */
    public static <K, R, S> WindowSink<K, R, S> jsonLines(Writer out) {
        return new JsonLinesSink<>(Objects.requireNonNull(out, "out"), false);
    }

    /** Writes every result as a JSON line to a new file at {@code path}, closed when the job ends. */
    public static <K, R, S> WindowSink<K, R, S> jsonLines(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return new JsonLinesSink<>(Files.newBufferedWriter(path, StandardCharsets.UTF_8), true);
    }
}
