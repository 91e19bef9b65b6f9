package dev.warren.kafka;

import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.sink.WindowSink;
import dev.warren.streaming.window.WindowResult;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Window results to a Kafka topic: one record per result, keyed by the window's key, stamped with the
 * window's end, its value the JSON object of {@code --jsonl} ({@link Sinks#json}) or what a user
 * function makes of the result.
 *
 * <p><b>Delivery.</b> The sink owns one idempotent producer ({@code acks=all}). {@link #flush()}, which
 * the job calls on a shard after each batch of windows, waits until every record sent so far is
 * acknowledged; a record the producer gave up on (after its {@code delivery.timeout.ms}) makes every
 * later {@code flush} throw, so the job's {@link dev.warren.streaming.StreamJob#closedThrough()} stops
 * advancing and a {@link KafkaSource} commits no offset whose windows may be missing: after a restart
 * they are computed again.
 *
 * <p><b>Exactly-once.</b> A sink made by {@link #exactlyOnce} has no producer of its own: {@code emit}
 * hands the result to its {@link KafkaSource} (built with {@link KafkaSource.Builder#exactlyOnce()}),
 * whose poll thread writes it in the transaction that also commits the input offsets it covers, once
 * its window is at or before the job's {@link dev.warren.streaming.StreamJob#closedThrough()}. Its
 * {@code flush} and {@code close} have nothing to do. Readers see the results with {@code
 * isolation.level=read_committed}.
 *
 * <p><b>Threading and blocking.</b> {@link #emit} and {@link #flush} are called by the job on its shard
 * tasklets, several at once (the producer is thread-safe). {@code emit} hands the record to the
 * producer's buffer and returns; it blocks only while that buffer is full (the producer's own lock and
 * condition, which park a virtual thread). The constructor checks the topic and fetches its metadata
 * (blocking, up to 15 s), so that sends do not wait for it. {@link #flush} blocks until the broker acknowledged what was sent.
 *
 * <p><b>Closing.</b> The job calls {@link #close()} once after its last window: it flushes and closes
 * the producer (waiting up to 30 s).
 *
 * @param <K> the key type
 * @param <R> the window result type
 * @param <S> the per-key state type (unused)
 */
public final class KafkaSink<K, R, S> implements WindowSink<K, R, S> {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    private final String topic;
    private final Function<? super WindowResult<K, R>, String> format;
    /** Null for an exactly-once sink, whose results go through {@link #source}. */
    private final KafkaProducer<String, String> producer;

    private final KafkaSource<?> source;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private KafkaSink(
            String bootstrap,
            String topic,
            Function<? super WindowResult<K, R>, String> format,
            Map<String, String> producerConfig) {
        this.topic = Kafka.requireName("topic", topic);
        this.format = Objects.requireNonNull(format, "format");
        Kafka.partitions(Kafka.requireBootstrap(bootstrap), topic);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putAll(producerConfig);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.source = null;
        try {
            producer.partitionsFor(topic); // the metadata, now, so that no send waits for it
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    private KafkaSink(KafkaSource<?> source, String topic, Function<? super WindowResult<K, R>, String> format) {
        this.topic = Kafka.requireName("topic", topic);
        this.format = Objects.requireNonNull(format, "format");
        this.source = Objects.requireNonNull(source, "source");
        if (!source.isExactlyOnce()) {
            throw new IllegalArgumentException("KafkaSink.exactlyOnce needs a KafkaSource built with exactlyOnce(); the"
                    + " source of topic '" + source.topic() + "' is at-least-once: use KafkaSink.json or of");
        }
        Kafka.partitions(source.bootstrap(), topic);
        this.producer = null;
    }

    /**
     * Results as the JSON objects of {@code --jsonl} to {@code topic}, written exactly once: in the
     * transactions of {@code source}, which must be {@linkplain KafkaSource.Builder#exactlyOnce() exactly-once}
     * (see the class comment).
     *
     * @throws IllegalArgumentException if the source is at-least-once, or the topic is malformed or does
     *     not exist
     */
    public static <K, R, S> KafkaSink<K, R, S> exactlyOnce(KafkaSource<?> source, String topic) {
        return new KafkaSink<>(source, topic, Sinks::json);
    }

    /**
     * Results formatted by {@code format} (thread-safe; called on the shards), as {@link
     * #exactlyOnce(KafkaSource, String)}.
     */
    public static <K, R, S> KafkaSink<K, R, S> exactlyOnce(
            KafkaSource<?> source, String topic, Function<? super WindowResult<K, R>, String> format) {
        return new KafkaSink<>(source, topic, format);
    }

    /**
     * Results as the JSON objects of {@code --jsonl} ({@code key}, {@code start}, {@code end}, then
     * {@code count}, {@code sum}, {@code min}, {@code max} or {@code value}) to {@code topic}.
     *
     * @throws IllegalArgumentException if the bootstrap address or topic is malformed, or the topic does
     *     not exist
     * @throws IllegalStateException if no broker answers within 15 s
     */
    public static <K, R, S> KafkaSink<K, R, S> json(String bootstrap, String topic) {
        return new KafkaSink<>(bootstrap, topic, Sinks::json, Map.of());
    }

    /**
     * Results formatted by {@code format} (thread-safe; called on the shards) to {@code topic}, with extra
     * producer settings (they win over the sink's: {@code acks=all}, idempotence, {@code linger.ms=5}).
     */
    public static <K, R, S> KafkaSink<K, R, S> of(
            String bootstrap,
            String topic,
            Function<? super WindowResult<K, R>, String> format,
            Map<String, String> producerConfig) {
        return new KafkaSink<>(bootstrap, topic, format, Map.copyOf(producerConfig));
    }

    @Override
    public void emit(WindowResult<K, R> result, S state) {
        String key = String.valueOf(result.key());
        if (producer == null) {
            source.offer(
                    result.key(),
                    result.end(),
                    new ProducerRecord<>(topic, null, result.end(), key, format.apply(result)));
            return;
        }
        // the callback sees every outcome; the future adds nothing
        var unused =
                producer.send(new ProducerRecord<>(topic, null, result.end(), key, format.apply(result)), (md, ex) -> {
                    if (ex == null) {
                        sent.increment();
                        return;
                    }
                    failed.increment();
                    if (failure.compareAndSet(null, ex)) {
                        LOG.error(
                                "window results to topic '{}' could not be written; offsets stop being committed"
                                        + " until a restart",
                                topic,
                                ex);
                    }
                });
    }

    /** Waits until every result sent so far is acknowledged; throws if one was lost (see the class comment). */
    @Override
    public void flush() throws IOException {
        if (producer == null) {
            return; // the source's transactions write the results
        }
        producer.flush();
        Exception f = failure.get();
        if (f != null) {
            throw new IOException("a window result to topic '" + topic + "' was not written: " + f, f);
        }
    }

    /** Results acknowledged by the broker. */
    public long sent() {
        return sent.sum();
    }

    /** Results the producer gave up on. */
    public long failed() {
        return failed.sum();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(30));
        }
    }

    @Override
    public String toString() {
        return "KafkaSink[" + topic + "]";
    }
}
