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
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A graceful rebalance in the middle of live data (a second member joins, then leaves): the member that
 * gives partitions up drops their keys' open windows instead of emitting them partial, and so does the
 * one that leaves; the new owner reads their records again from the committed offsets. Every emission
 * on the output topic carries the full count of its window, and every window is there; exactly-once,
 * every window is there once.
 */
class KafkaHandOverTest {
    private static final int PARTITIONS = 6;
    private static final int KEYS = 200;

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void aMemberJoiningAndLeavingInTheMiddleCausesNoPartialWindow(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "handover-" + mode + "-in";
        String out = "handover-" + mode + "-out";
        String group = "handover-" + mode;
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 2, Map.of());

        Map<String, Long> expected = new TreeMap<>();
        AtomicInteger rounds = new AtomicInteger();
        KafkaSource<KeyValue> a = member(broker, in, out, group, exactlyOnce);
        try {
            Producing first = new Producing(broker, in, 0, 50, expected, rounds);
            await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() >= 20);
            KafkaSource<KeyValue> b = member(broker, in, out, group, exactlyOnce);
            try {
                // b joins while records flow: a hands some partitions over, with windows open
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> !b.assignment().isEmpty()
                                && a.assignment().size() + b.assignment().size() == PARTITIONS);
                int handedOver = b.assignment().size();
                long last = first.join();
                assertEquals(handedOver, b.assignment().size(), "no further rebalance in the middle");
                // Every partition's time at the same instant, so that a's watermark is where b's is
                // when a takes b's partitions back: the windows b leaves open are open at a too.
                KafkaSourceTest.endMarkers(broker, in, PARTITIONS, last + 1);
                // both have closed every window the markers close (the watermark trails them by 500 ms):
                // b hands over where a's shards are
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> jobs.get(a).closedThrough() == last + 1 - 500
                                && jobs.get(b).closedThrough() == last + 1 - 500);
            } finally {
                b.close(); // leaves the group, its windows open: its partitions go back to a
            }
            assertNull(b.failure());
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment().size() == PARTITIONS);
            long last = new Producing(broker, in, 50, 80, expected, rounds).join();
            // past every data window: they all close and their offsets are committed
            KafkaSourceTest.endMarkers(broker, in, PARTITIONS, last + 5_000);
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofSeconds(90));
        } finally {
            a.close();
        }
        assertNull(a.failure());

        // Sliding windows: a record the new owner replays is also in earlier windows, which the old owner
        // wrote through its last commit; the new owner must leave those out, or emit them partial (and,
        // exactly-once, twice; the old owner must also drop the results it held back when it left).
        Map<String, Long> want = sliding(expected);
        List<String[]> emitted = emissions(broker, out, want.size(), exactlyOnce);
        assertWhole(want, emitted, exactlyOnce);
    }

    /**
     * At-least-once: every emission carries its window's full count, and every window produced is there;
     * exactly-once: every window is there once, with its count.
     */
    static void assertWhole(Map<String, Long> want, List<String[]> emitted, boolean exactlyOnce) {
        if (exactlyOnce) {
            assertEquals(List.of(), notExactlyOnce(want, emitted));
            return;
        }
        Map<String, Long> seen = new TreeMap<>();
        List<String> partial = new ArrayList<>();
        for (String[] w : emitted) {
            long produced = want.getOrDefault(w[0], 0L);
            long count = Long.parseLong(w[1]);
            if (count != produced) {
                partial.add(w[0] + ": emitted " + count + ", produced " + produced);
            }
            seen.merge(w[0], count, Math::max);
        }
        assertEquals(List.of(), clip(partial), "every emission carries its window's full count");
        assertEquals(List.of(), differences(want, seen), want.size() + " windows produced");
    }

    /** From counts per key and 1 s tumbling window, the counts per key and 2 s window sliding by 1 s. */
    static Map<String, Long> sliding(Map<String, Long> tumbling) {
        Map<String, Long> s = new TreeMap<>();
        tumbling.forEach((w, n) -> {
            int at = w.indexOf('@');
            long start = Long.parseLong(w.substring(at + 1));
            s.merge(w.substring(0, at) + "@" + start, n, Long::sum);
            s.merge(w.substring(0, at) + "@" + (start - 1000), n, Long::sum);
        });
        return s;
    }

    /**
     * Exactly-once: per window, one emission with the produced count; up to 20 of those that differ
     * (missing, twice, or another count).
     */
    static List<String> notExactlyOnce(Map<String, Long> want, List<String[]> emitted) {
        Map<String, List<Long>> by = new TreeMap<>();
        for (String[] w : emitted) {
            by.computeIfAbsent(w[0], k -> new ArrayList<>()).add(Long.parseLong(w[1]));
        }
        List<String> d = new ArrayList<>();
        for (Map.Entry<String, Long> e : want.entrySet()) {
            List<Long> got = by.getOrDefault(e.getKey(), List.of());
            if (!got.equals(List.of(e.getValue()))) {
                d.add(e.getKey() + " produced " + e.getValue() + ", emitted " + got);
            }
        }
        for (String k : by.keySet()) {
            if (!want.containsKey(k)) {
                d.add(k + " emitted " + by.get(k) + ", never produced");
            }
        }
        return clip(d);
    }

    /** Up to 20 of the windows whose count differs, and how many differ: a readable failure. */
    static List<String> differences(Map<String, Long> want, Map<String, Long> seen) {
        List<String> d = new ArrayList<>();
        for (Map.Entry<String, Long> e : want.entrySet()) {
            Long s = seen.get(e.getKey());
            if (!e.getValue().equals(s)) {
                d.add(e.getKey() + " produced " + e.getValue() + ", seen " + s);
            }
        }
        for (String k : seen.keySet()) {
            if (!want.containsKey(k)) {
                d.add(k + " seen " + seen.get(k) + ", never produced");
            }
        }
        return clip(d);
    }

    static List<String> clip(List<String> d) {
        if (d.size() <= 20) {
            return d;
        }
        List<String> c = new ArrayList<>(d.subList(0, 20));
        c.add("... " + d.size() + " in all");
        return c;
    }

    /**
     * Every window emission on {@code topic} as {key@start, count}, end markers left out; reads until
     * {@code windows} distinct windows were seen and nothing more came for a second, or 30 s passed.
     */
    static List<String[]> emissions(KafkaBroker broker, String topic, int windows, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<String[]> out = new ArrayList<>();
        java.util.Set<String> distinct = new java.util.HashSet<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var polled = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : polled) {
                    Matcher m = KafkaSourceTest.WINDOW.matcher(r.value());
                    if (!m.find()) {
                        throw new AssertionError("not a window result: " + r.value());
                    }
                    assertEquals(m.group(1), r.key());
                    if (!m.group(1).equals(KafkaSourceTest.END_KEY)) {
                        String w = m.group(1) + "@" + m.group(2);
                        out.add(new String[] {w, m.group(4)});
                        distinct.add(w);
                    }
                }
                if (!polled.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                if (distinct.size() >= windows && System.nanoTime() - quietSince > 1_000_000_000L) {
                    break;
                }
            }
        }
        return out;
    }

    /** Rounds of live records written by a thread of their own. */
    private static final class Producing {
        private final Thread thread;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final AtomicLong last = new AtomicLong();

        Producing(
                KafkaBroker broker, String topic, int from, int to, Map<String, Long> expected, AtomicInteger rounds) {
            thread = Thread.ofPlatform().name("handover-producer").start(() -> {
                try {
                    last.set(produceLive(broker, topic, from, to, expected, rounds));
                } catch (Exception e) {
                    failure.set(e);
                }
            });
        }

        /** Waits for the last round; returns the last timestamp written ({@code expected} is complete now). */
        long join() throws InterruptedException {
            thread.join();
            assertNull(failure.get());
            return last.get();
        }
    }

    private final Map<KafkaSource<KeyValue>, StreamJob<KeyValue>> jobs = new java.util.concurrent.ConcurrentHashMap<>();

    private KafkaSource<KeyValue> member(KafkaBroker broker, String in, String out, String group, boolean exactlyOnce) {
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

    /**
     * Rounds {@code from} to {@code to} of one record per key, 100 ms apart, each stamped when it is written (several
     * records per key and window, so a partial window shows); counts each round in {@code rounds}.
     */
    static long produceLive(
            KafkaBroker broker, String topic, int from, int to, Map<String, Long> expected, AtomicInteger rounds)
            throws Exception {
        long last = 0;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int round = from; round < to; round++) {
                long start = System.currentTimeMillis();
                List<Future<?>> sent = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    long ts = System.currentTimeMillis();
                    last = ts;
                    String key = "k" + k;
                    sent.add(producer.send(new ProducerRecord<>(topic, null, ts, key, "1")));
                    expected.merge(KafkaSourceTest.windowKey(key, ts), 1L, Long::sum); // read after join()
                }
                for (Future<?> f : sent) {
                    f.get();
                }
                rounds.incrementAndGet();
                long left = 100 - (System.currentTimeMillis() - start);
                if (left > 0) {
                    Thread.sleep(left); // pacing the producer, not waiting for an outcome
                }
            }
        }
        return last;
    }
}
