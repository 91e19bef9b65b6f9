package dev.warren.streaming;

/**
 * Where a {@linkplain StreamJob#checkpoint checkpoint} writes the keys whose windows changed since the
 * last one: a changelog (a compacted Kafka topic, as Kafka Streams keeps one per store). Called on the
 * shards' tasklets, several at once: implementations must be thread-safe, and should only hand the
 * record on (a producer's {@code send}), not wait for it to be durable; the caller makes it durable
 * after {@code checkpoint} returns.
 */
@FunctionalInterface
public interface ChangelogWriter {

    /**
     * The state of {@code key} (of lane {@code lane}) now: {@code state} is its open windows as text, to
     * give to {@link StreamJob#restore} later, or null if the key has none left (a tombstone);
     * {@code lastEnd} is the end of its last open window ({@link Long#MIN_VALUE} with a null state).
     *
     * @throws Exception if the record cannot be handed on; the checkpoint then reports a failure
     */
    void write(int lane, Object key, String state, long lastEnd) throws Exception;
}
