package dev.warren.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A running member takes partitions over whose time is far behind its own (issue 18: "taking partitions
 * over while running"). Member b's partitions run 7 s of event time ahead of member a's; a leaves; b
 * replays a's partitions from a's last commit. With one watermark per job, b would find the windows of
 * those records closed and count them late; with a watermark lane per partition it counts them, and
 * every window on the output topic is whole (exactly-once: there once).
 */
class KafkaTakeOverTest {
    private static final int PARTITIONS = 4;
    private static final int KEYS_PER_PARTITION = 20;

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void aRunningMemberTakesOverPartitionsFarBehindItsOwnTimeAndLosesNothing(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "takeover-" + mode + "-in";
        String out = "takeover-" + mode + "-out";
        String group = "takeover-" + mode;
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 2, Map.of());
        long base = (System.currentTimeMillis() / 1000) * 1000 - 600_000;
        Map<String, Long> expected = new TreeMap<>();

        Map<KafkaSource<KeyValue>, StreamJob<KeyValue>> jobs = new java.util.concurrent.ConcurrentHashMap<>();
        KafkaSource<KeyValue> a = member(broker, in, out, group, exactlyOnce, jobs);
        KafkaSource<KeyValue> b = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment().size() == PARTITIONS);
            KafkaSource<KeyValue> bb = member(broker, in, out, group, exactlyOnce, jobs);
            b = bb;
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> bb.assignment().size() == PARTITIONS / 2
                            && a.assignment().size() == PARTITIONS / 2);
            Set<TopicPartition> ofA = a.assignment();
            Set<TopicPartition> ofB = bb.assignment();

            // every partition to 3 s, then b's alone to 10 s: b's time runs 7 s ahead of a's
            produce(broker, in, all(), base, base + 3_000, expected);
            produce(broker, in, ofB, base + 3_000, base + 10_000, expected);
            StreamJob<KeyValue> ja = jobs.get(a);
            StreamJob<KeyValue> jb = jobs.get(bb);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (TopicPartition tp : ofA) {
                    if (ja.closedThrough(tp.partition() + 1) != base + 2_990 - 500) {
                        return false;
                    }
                }
                for (TopicPartition tp : ofB) {
                    if (jb.closedThrough(tp.partition() + 1) != base + 9_990 - 500) {
                        return false;
                    }
                }
                return true;
            });
            // a leaves with windows open; b replays a's partitions from a's commit, records of 1-3 s
            a.close();
            assertNull(a.failure());
            await().atMost(Duration.ofSeconds(60)).until(() -> bb.assignment().size() == PARTITIONS);
            produce(broker, in, ofA, base + 3_000, base + 12_000, expected);
            produce(broker, in, ofB, base + 10_000, base + 12_000, expected);
            KafkaSourceTest.endMarkers(broker, in, PARTITIONS, base + 20_000);
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofSeconds(90));
            assertEquals(0, jb.stats().late(), "b counted none of a's replayed records late");
        } finally {
            a.close();
            if (b != null) {
                b.close();
            }
        }
        assertNull(b.failure());

        Map<String, Long> want = KafkaHandOverTest.sliding(expected);
        List<String[]> emitted = KafkaHandOverTest.emissions(broker, out, want.size(), exactlyOnce);
        KafkaHandOverTest.assertWhole(want, emitted, exactlyOnce);
    }

    private static Set<TopicPartition> all() {
        Set<TopicPartition> s = new java.util.HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            s.add(new TopicPartition("", p));
        }
        return s;
    }

    /**
     * To each partition of {@code to}, for its own keys ("p{P}k{i}"), one record every 10 ms of event time
     * in [{@code from}, {@code until}); counted per key and 1 s window in {@code expected}.
     */
    private static void produce(
            KafkaBroker broker, String topic, Set<TopicPartition> to, long from, long until, Map<String, Long> expected)
            throws Exception {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (long ts = from; ts < until; ts += 10) {
            for (TopicPartition tp : to) {
                for (int k = 0; k < KEYS_PER_PARTITION; k += 4) {
                    // a fifth of the keys at each step, so that keys differ in their counts
                    String key = "p" + tp.partition() + "k" + (k + (int) ((ts / 10) % 4));
                    records.add(new ProducerRecord<>(topic, tp.partition(), ts, key, "1"));
                    expected.merge(KafkaSourceTest.windowKey(key, ts), 1L, Long::sum);
                }
            }
        }
        KafkaSourceTest.produce(broker, records);
    }

    private static KafkaSource<KeyValue> member(
            KafkaBroker broker,
            String in,
            String out,
            String group,
            boolean exactlyOnce,
            Map<KafkaSource<KeyValue>, StreamJob<KeyValue>> jobs) {
        KafkaSource.Builder<KeyValue> b = KafkaSource.keyValues(broker.bootstrap(), in, group);
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
        jobs.put(s, job);
        return s;
    }
}
