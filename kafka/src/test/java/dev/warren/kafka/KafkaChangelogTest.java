package dev.warren.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The changelog (issue 18 §2): with one, offsets are committed as soon as the open windows of the records
 * before them are in the changelog, long before those windows close; a member that leaves with windows
 * open hands them over through the changelog, and the next owner restores them instead of replaying
 * their records, which are behind the committed offsets. Every window on the output is whole
 * (exactly-once: there once).
 */
class KafkaChangelogTest {
    private static final int PARTITIONS = 4;
    private static final int KEYS = 40;

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void theNextOwnerRestoresOpenWindowsFromTheChangelog(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "changelog-" + mode + "-in";
        String out = "changelog-" + mode + "-out";
        String group = "changelog-" + mode;
        String changelog = group + "-windows";
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 2, Map.of());
        long base = (System.currentTimeMillis() / 1000) * 1000 - 600_000;
        Map<String, Long> expected = new TreeMap<>();

        KafkaSource<KeyValue> a = member(broker, in, out, group, changelog, exactlyOnce);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment().size() == PARTITIONS);
            produce(broker, in, base, base + 6_000, expected);
            // every record committed, though the windows of the last ones are open: they are in the changelog
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofSeconds(60));
            awaitCommittedToTheEnd(broker, group, in);
            assertTrue(a.stats().changelogRecords() >= KEYS, a.stats().toString());
        } finally {
            a.close(); // hands over: drops the open windows, which only the changelog has now
        }
        assertNull(a.failure());

        KafkaSource<KeyValue> b = member(broker, in, out, group, changelog, exactlyOnce);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> b.assignment().size() == PARTITIONS);
            assertEquals(KEYS, b.stats().restoredKeys(), b.stats().toString());
            assertTrue(b.stats().lastRestoreMillis() >= 0);
            produce(broker, in, base + 6_000, base + 9_000, expected);
            KafkaSourceTest.endMarkers(broker, in, PARTITIONS, base + 20_000);
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofSeconds(60));
            assertEquals(
                    3_000 / 50 * KEYS + PARTITIONS,
                    b.stats().records(),
                    "b read only what came after a's commits (and the markers)");
        } finally {
            b.close();
        }
        assertNull(b.failure());

        Map<String, Long> want = KafkaHandOverTest.sliding(expected);
        List<String[]> emitted = KafkaHandOverTest.emissions(broker, out, want.size(), exactlyOnce);
        KafkaHandOverTest.assertWhole(want, emitted, exactlyOnce);
    }

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void sessionWindowsGoOverAHandOverWhole(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "clsession-" + mode + "-in";
        String out = "clsession-" + mode + "-out";
        String group = "clsession-" + mode;
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 2, Map.of());
        long base = (System.currentTimeMillis() / 1000) * 1000 - 600_000;
        // per key: a record every 100 ms, a pause of 2.5 s (more than the 1 s gap) every 15 records, the
        // phase of each key shifted, so that sessions are open whenever the member leaves
        Map<String, TreeMap<Long, Integer>> times = new TreeMap<>();
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        List<ProducerRecord<String, String>> second = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "s" + k;
            long ts = base + k * 53L;
            for (int i = 0; i < 60; i++) {
                ts += (i + k) % 15 == 0 ? 2_500 : 100;
                times.computeIfAbsent(key, x -> new TreeMap<>()).merge(ts, 1, Integer::sum);
                (ts < base + 6_000 ? first : second).add(new ProducerRecord<>(in, null, ts, key, "1"));
            }
        }
        // in time order, as a producer writes them (a partition's time must not run ahead of its records)
        first.sort(java.util.Comparator.comparingLong(ProducerRecord::timestamp));
        second.sort(java.util.Comparator.comparingLong(ProducerRecord::timestamp));
        Map<String, Long> want = new TreeMap<>();
        times.forEach((key, ts) -> {
            long start = Long.MIN_VALUE;
            long last = Long.MIN_VALUE;
            long n = 0;
            for (Map.Entry<Long, Integer> e : ts.entrySet()) {
                if (n > 0 && e.getKey() - last >= 1_000) {
                    want.put(key + "@" + start, n);
                    n = 0;
                }
                if (n == 0) {
                    start = e.getKey();
                }
                last = e.getKey();
                n += e.getValue();
            }
            want.put(key + "@" + start, n);
        });

        KafkaSource<KeyValue> a = sessionMember(broker, in, out, group, exactlyOnce);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment().size() == PARTITIONS);
            KafkaSourceTest.produce(broker, first);
            awaitCommittedToTheEnd(broker, group, in);
        } finally {
            a.close(); // its open sessions go with it: only the changelog has them now
        }
        assertNull(a.failure());
        KafkaSource<KeyValue> b = sessionMember(broker, in, out, group, exactlyOnce);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> b.assignment().size() == PARTITIONS);
            assertTrue(b.stats().restoredKeys() > 0, b.stats().toString());
            KafkaSourceTest.produce(broker, second);
            KafkaSourceTest.endMarkers(broker, in, PARTITIONS, base + 60_000);
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofSeconds(60));
        } finally {
            b.close();
        }
        assertNull(b.failure());
        List<String[]> emitted = KafkaHandOverTest.emissions(broker, out, want.size(), exactlyOnce);
        KafkaHandOverTest.assertWhole(want, emitted, exactlyOnce);
    }

    private static KafkaSource<KeyValue> sessionMember(
            KafkaBroker broker, String in, String out, String group, boolean exactlyOnce) {
        KafkaSource.Builder<KeyValue> b =
                KafkaSource.keyValues(broker.bootstrap(), in, group).changelog(group + "-sessions");
        if (exactlyOnce) {
            b.exactlyOnce();
        }
        KafkaSource<KeyValue> s = b.build();
        s.start(StreamJob.<KeyValue>builder(group)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.session(Duration.ofSeconds(1)), Aggregators.stats(KeyValue::value))
                .sink(exactlyOnce ? KafkaSink.exactlyOnce(s, out) : KafkaSink.json(broker.bootstrap(), out)));
        return s;
    }

    /** The group's committed offsets equal the log end: nothing of the input is left to replay. */
    private static void awaitCommittedToTheEnd(KafkaBroker broker, String group, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < PARTITIONS; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get();
                var ends = admin.listOffsets(latest).all().get();
                for (TopicPartition tp : latest.keySet()) {
                    if (c.get(tp) == null || c.get(tp).offset() < ends.get(tp).offset()) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    /** One record per key every 50 ms of event time in [from, until), keys spread by Kafka's partitioner. */
    private static void produce(KafkaBroker broker, String topic, long from, long until, Map<String, Long> expected)
            throws Exception {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (long ts = from; ts < until; ts += 50) {
            for (int k = 0; k < KEYS; k++) {
                String key = "k" + k;
                records.add(new ProducerRecord<>(topic, null, ts, key, "1"));
                expected.merge(KafkaSourceTest.windowKey(key, ts), 1L, Long::sum);
            }
        }
        KafkaSourceTest.produce(broker, records);
    }

    private static KafkaSource<KeyValue> member(
            KafkaBroker broker, String in, String out, String group, String changelog, boolean exactlyOnce) {
        KafkaSource.Builder<KeyValue> b =
                KafkaSource.keyValues(broker.bootstrap(), in, group).changelog(changelog);
        if (exactlyOnce) {
            b.exactlyOnce();
        }
        KafkaSource<KeyValue> s = b.build();
        StreamJob<KeyValue> job = s.start(StreamJob.<KeyValue>builder(group)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(
                        Windows.sliding(Duration.ofSeconds(2), Duration.ofSeconds(1)),
                        Aggregators.stats(KeyValue::value))
                .sink(exactlyOnce ? KafkaSink.exactlyOnce(s, out) : KafkaSink.json(broker.bootstrap(), out)));
        assertTrue(job.stats() != null);
        return s;
    }
}
