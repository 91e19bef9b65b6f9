package dev.warren.kafka;

/**
 * Turns one Kafka record (its key, value and timestamp, as strings and milliseconds) into a job's event.
 * A record it cannot use is signalled by throwing (any exception, its message saying why) or returning
 * null: the {@link KafkaSource} counts it, sends it to the dead-letter topic if one is configured, and
 * goes on. Runs on the source's poll thread, one record at a time.
 *
 * @param <E> the event type
 */
@FunctionalInterface
public interface RecordParser<E> {

    /**
     * The event in one record.
     *
     * @param key the record's key, null if it has none
     * @param value the record's value, null for a tombstone
     * @param timestamp the record's timestamp in milliseconds since the epoch
     */
    E parse(String key, String value, long timestamp) throws Exception;
}
