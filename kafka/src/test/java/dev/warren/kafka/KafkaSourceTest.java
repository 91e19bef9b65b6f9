package dev.warren.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KafkaSource} and {@link KafkaSink} against a real broker: per-key window counts on the output
 * topic equal what was produced, bad records go to the dead-letter topic, offsets are committed only as
 * far as closed windows go, and a broker restart in the middle loses nothing.
 */
class KafkaSourceTest {
    static final Pattern WINDOW =
            Pattern.compile("\\{\"key\":\"([^\"]*)\",\"start\":(-?\\d+),\"end\":(-?\\d+),\"count\":(\\d+),");
    static final String END_KEY = "~end";

    @Test
    void windowCountsOnTheOutputTopicEqualWhatWasProducedKeyByKey() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "counts-in";
        String out = "counts-out";
        String dlq = "counts-dlq";
        broker.createTopic(in, 4, Map.of());
        broker.createTopic(out, 2, Map.of());
        broker.createTopic(dlq, 1, Map.of());

        long base = (System.currentTimeMillis() / 1000) * 1000 - 30_000;
        Map<String, Long> expected = new TreeMap<>();
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String key = "k" + (i % 300);
            long ts = base + (i * 5_000L) / 6_000; // 5 s of data, 1 s windows
            records.add(new ProducerRecord<>(in, null, ts, key, "1"));
            expected.merge(windowKey(key, ts), 1L, Long::sum);
        }
        records.add(new ProducerRecord<>(in, null, base + 1_000, null, "1"));
        records.add(new ProducerRecord<>(in, null, base + 1_000, "k1", "not-a-number"));
        produce(broker, records);
        endMarkers(broker, in, 4, base + 8_000);

        KafkaSource<KeyValue> source = KafkaSource.keyValues(broker.bootstrap(), in, "counts")
                .deadLetterTopic(dlq)
                .build();
        StreamJob<KeyValue> job = source.start(StreamJob.<KeyValue>builder("counts")
                .keyBy(KeyValue::key)
                .shards(3)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.stats(KeyValue::value))
                .sink(KafkaSink.json(broker.bootstrap(), out)));
        try {
            broker.awaitCommittedUpToLast("counts", in, 4, Duration.ofSeconds(90));
            assertEquals(expected, maxCounts(broker, out, expected.size()));
            assertEquals(2, source.stats().badRecords());
            assertEquals(6_000 + 2 + 4, source.stats().records());
            assertEquals(0, job.stats().late());
            List<ConsumerRecord<String, String>> dead = KafkaBrokerTest.consumeAll(broker, dlq, 2);
            assertEquals(2, dead.size());
            List<String> errors = dead.stream()
                    .map(r -> new String(r.headers().lastHeader("warren.error").value(), StandardCharsets.UTF_8))
                    .sorted()
                    .toList();
            assertTrue(errors.get(0).startsWith("record has no key"), errors.toString());
            assertTrue(errors.get(1).startsWith("value is not a number: 'not-a-number'"), errors.toString());
        } finally {
            source.close();
        }
        assertNull(source.failure());
        assertTrue(!job.isRunning());
    }

    @Test
    void exactlyOnceWritesEveryWindowOnceWithItsFullCount() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "eos-in";
        String out = "eos-out";
        String dlq = "eos-dlq";
        broker.createTopic(in, 4, Map.of());
        broker.createTopic(out, 2, Map.of());
        broker.createTopic(dlq, 1, Map.of());

        long base = (System.currentTimeMillis() / 1000) * 1000 - 30_000;
        Map<String, Long> expected = new TreeMap<>();
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String key = "k" + (i % 300);
            long ts = base + (i * 5_000L) / 6_000;
            records.add(new ProducerRecord<>(in, null, ts, key, "1"));
            expected.merge(windowKey(key, ts), 1L, Long::sum);
        }
        records.add(new ProducerRecord<>(in, null, base + 1_000, null, "1"));
        records.add(new ProducerRecord<>(in, null, base + 1_000, "k1", "not-a-number"));
        produce(broker, records);
        endMarkers(broker, in, 4, base + 8_000);

        KafkaSource<KeyValue> source = KafkaSource.keyValues(broker.bootstrap(), in, "eos")
                .deadLetterTopic(dlq)
                .exactlyOnce()
                .build();
        StreamJob<KeyValue> job = source.start(StreamJob.<KeyValue>builder("eos")
                .keyBy(KeyValue::key)
                .shards(3)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.stats(KeyValue::value))
                .sink(KafkaSink.exactlyOnce(source, out)));
        try {
            broker.awaitCommittedUpToLast("eos", in, 4, Duration.ofSeconds(90));
            List<String[]> emitted = KafkaHandOverTest.emissions(broker, out, expected.size(), true);
            assertEquals(List.of(), KafkaHandOverTest.notExactlyOnce(expected, emitted));
            List<ConsumerRecord<String, String>> dead = KafkaBrokerTest.consumeAll(broker, dlq, 2);
            assertEquals(2, dead.size());
            assertEquals(2, source.stats().badRecords());
            assertEquals(0, job.stats().late());
            assertTrue(source.stats().commits() > 0);
        } finally {
            source.close();
        }
        assertNull(source.failure());
    }

    @Test
    void aFencedTransactionalProducerEndsTheSourceSayingWhy() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "fenced-in";
        String out = "fenced-out";
        broker.createTopic(in, 1, Map.of());
        broker.createTopic(out, 1, Map.of());
        long base = (System.currentTimeMillis() / 1000) * 1000 - 30_000;
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            first.add(new ProducerRecord<>(in, null, base + i * 10L, "k" + (i % 10), "1"));
        }
        produce(broker, first);
        endMarkers(broker, in, 1, base + 3_000);
        KafkaSource<KeyValue> source = KafkaSource.keyValues(broker.bootstrap(), in, "fenced")
                .exactlyOnce()
                .build();
        source.start(StreamJob.<KeyValue>builder("fenced")
                .keyBy(KeyValue::key)
                .shards(1)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .sink(KafkaSink.exactlyOnce(source, out)));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> source.stats().commits() > 0);
            // another producer with the same transactional id: the broker fences the source's
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, source.transactionalId());
            try (KafkaProducer<String, String> usurper =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                usurper.initTransactions();
                endMarkers(broker, in, 1, base + 6_000); // a window closes: the source's next transaction
                await().atMost(Duration.ofSeconds(60)).until(() -> !source.isRunning());
            }
            Throwable f = source.failure();
            assertTrue(f != null && f.getMessage().contains("exactly-once"), String.valueOf(f));
        } finally {
            source.close();
        }
    }

    @Test
    void anExactlyOnceSinkNeedsAnExactlyOnceSource() {
        KafkaBroker broker = KafkaBroker.shared();
        KafkaSource<KeyValue> alo =
                KafkaSource.keyValues(broker.bootstrap(), "no-such-topic", "g").build();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KafkaSink.exactlyOnce(alo, "whatever"));
        assertTrue(e.getMessage().contains("at-least-once"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> KafkaSource.keyValues(broker.bootstrap(), "t", "g").producerProperty("transactional.id", "x"));
    }

    @Test
    void theThroughMetadataIsReadBackAndAnythingElseSuppressesNothing() {
        assertEquals(12_000L, KafkaSource.parseThrough(KafkaSource.THROUGH + "12000"));
        assertEquals(Long.MIN_VALUE, KafkaSource.parseThrough(""));
        assertEquals(Long.MIN_VALUE, KafkaSource.parseThrough(null));
        assertEquals(Long.MIN_VALUE, KafkaSource.parseThrough(KafkaSource.THROUGH + "x"));
    }

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void aBrokerRestartInTheMiddleLosesNothing(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "restart-" + mode + "-in";
        String out = "restart-" + mode + "-out";
        String group = "restart-" + mode;
        broker.createTopic(in, 3, Map.of());
        broker.createTopic(out, 1, Map.of());
        long base = (System.currentTimeMillis() / 1000) * 1000 - 30_000;
        Map<String, Long> expected = new TreeMap<>();
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        List<ProducerRecord<String, String>> second = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            String key = "k" + (i % 100);
            long ts = base + (i * 4_000L) / 4_000;
            (i < 2_000 ? first : second).add(new ProducerRecord<>(in, null, ts, key, "2.5"));
            expected.merge(windowKey(key, ts), 1L, Long::sum);
        }
        produce(broker, first);
        KafkaSource.Builder<KeyValue> b = KafkaSource.keyValues(broker.bootstrap(), in, group);
        if (exactlyOnce) {
            b.exactlyOnce();
        }
        KafkaSource<KeyValue> source = b.build();
        source.start(StreamJob.<KeyValue>builder(group)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.stats(KeyValue::value))
                .sink(exactlyOnce ? KafkaSink.exactlyOnce(source, out) : KafkaSink.json(broker.bootstrap(), out)));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> source.stats().records() == 2_000);
            long t0 = System.nanoTime();
            broker.restart();
            System.out.printf(
                    "broker restart: %d ms in all, %d ms from launch until it answered%n",
                    (System.nanoTime() - t0) / 1_000_000, broker.lastStartup().toMillis());
            produce(broker, second);
            endMarkers(broker, in, 3, base + 7_000);
            broker.awaitCommittedUpToLast(group, in, 3, Duration.ofSeconds(90));
            if (exactlyOnce) {
                List<String[]> emitted = KafkaHandOverTest.emissions(broker, out, expected.size(), true);
                assertEquals(List.of(), KafkaHandOverTest.notExactlyOnce(expected, emitted));
            } else {
                assertEquals(expected, maxCounts(broker, out, expected.size()));
            }
        } finally {
            source.close();
        }
        assertNull(source.failure());
    }

    @Test
    void wrongSettingsAreRefusedNamingTheValue() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KafkaSource.keyValues("localhost", "t", "g"));
        assertTrue(e.getMessage().contains("'localhost'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> KafkaSource.keyValues("127.0.0.1:9092", "bad topic", "g"));
        assertTrue(e.getMessage().contains("'bad topic'"), e.getMessage());
        KafkaBroker broker = KafkaBroker.shared();
        KafkaSource<KeyValue> source =
                KafkaSource.keyValues(broker.bootstrap(), "no-such-topic", "g").build();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> source.start(StreamJob.<KeyValue>builder("x")
                        .keyBy(KeyValue::key)
                        .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())));
        assertTrue(e.getMessage().contains("'no-such-topic' does not exist"), e.getMessage());
        KafkaSource<KeyValue> sessions =
                KafkaSource.keyValues(broker.bootstrap(), "no-such-topic", "g").build();
        IllegalStateException s = assertThrows(
                IllegalStateException.class,
                () -> sessions.start(StreamJob.<KeyValue>builder("x")
                        .keyBy(KeyValue::key)
                        .window(Windows.session(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())));
        assertTrue(s.getMessage().contains("tumbling or sliding"), s.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSink.json(broker.bootstrap(), "no-such-out"));
        assertTrue(e.getMessage().contains("'no-such-out' does not exist"), e.getMessage());
    }

    @Test
    void theKeyValueParserRefusesWhatItCannotCount() {
        assertEquals(new KeyValue("a", 1, 5), KafkaSource.keyValue("a", null, 5));
        assertEquals(new KeyValue("a", 1, 5), KafkaSource.keyValue("a", " ", 5));
        assertEquals(new KeyValue("a", 2.5, 5), KafkaSource.keyValue("a", "2.5", 5));
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.keyValue(null, "1", 5));
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.keyValue("", "1", 5));
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.keyValue("a", "NaN", 5));
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.keyValue("a", "x", 5));
    }

    static String windowKey(String key, long ts) {
        return key + "@" + Math.floorDiv(ts, 1000) * 1000;
    }

    static void produce(KafkaBroker broker, List<ProducerRecord<String, String>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<String, String> r : records) {
                sent.add(producer.send(r));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    /** One record per partition, later than the data: it moves the watermark past every data window. */
    static void endMarkers(KafkaBroker broker, String topic, int partitions, long ts) throws Exception {
        List<ProducerRecord<String, String>> markers = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            markers.add(new ProducerRecord<>(topic, p, ts, END_KEY, "1"));
        }
        produce(broker, markers);
    }

    /**
     * Per key and window start, the largest count emitted (at-least-once: a window may come again);
     * reads until {@code expectedWindows} windows were seen or 30 s passed, so a shortfall shows as a
     * difference in the caller's comparison.
     */
    static Map<String, Long> maxCounts(KafkaBroker broker, String topic, int expectedWindows) {
        Map<String, Long> max = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            max.clear();
            for (ConsumerRecord<String, String> r : KafkaBrokerTest.consumeAll(broker, topic, expectedWindows)) {
                Matcher m = WINDOW.matcher(r.value());
                if (!m.find()) {
                    throw new AssertionError("not a window result: " + r.value());
                }
                assertEquals(m.group(1), r.key());
                if (!m.group(1).equals(END_KEY)) {
                    max.merge(m.group(1) + "@" + m.group(2), Long.parseLong(m.group(4)), Math::max);
                }
            }
        } while (max.size() < expectedWindows && System.nanoTime() < deadline);
        return max;
    }
}
