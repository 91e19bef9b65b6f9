package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scale-out on a real Kafka broker (issue 18): {@code ./hiveparser --kafka} processes, each its own JVM,
 * in one consumer group over a 12-partition topic with 1,000 keys, two and three of them, at-least-once
 * and exactly-once. The per-key window counts on the output topic (at-least-once: per key and window,
 * the largest count emitted, as a window may come again; exactly-once: every emission, read committed,
 * one per window) are compared with what was produced, key by key.
 */
class KafkaScaleOutEndToEndTest {
    private static final int PARTITIONS = 12;
    private static final int KEYS = 1_000;
    private static final Pattern WINDOW =
            Pattern.compile("\\{\"key\":\"([^\"]*)\",\"start\":(-?\\d+),\"end\":(-?\\d+),\"count\":(\\d+),");
    private static final Pattern PARTS = Pattern.compile("hiveparser: partitions \\[([0-9, ]*)]");
    private static final String END_KEY = "~end";

    @Test
    void twoProcessesInOneGroupCountEveryKeyExactly() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "scale2-in";
        String out = "scale2-out";
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 3, Map.of());
        try (DemoProcess a = member(broker, in, out, "scale2");
                DemoProcess b = member(broker, in, out, "scale2")) {
            awaitSplit(a, b);
            Map<String, Long> expected = new TreeMap<>();
            long last = produceLive(broker, in, 0, 6, expected);
            endMarkers(broker, in, last + 25_000);
            broker.awaitCommittedUpToLast("scale2", in, PARTITIONS, Duration.ofMinutes(2));
            Map<String, Long> seen = maxCounts(broker, out, expected.size());
            assertEquals(expected, seen);
            stop(a);
            stop(b);
        }
    }

    @Test
    void aProcessKilledInTheMiddleAndStartedAgainLosesNoCount() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "scalekill-in";
        String out = "scalekill-out";
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 3, Map.of());
        Map<String, Long> expected = new TreeMap<>();
        try (DemoProcess a = member(broker, in, out, "scalekill")) {
            long last;
            try (DemoProcess b = member(broker, in, out, "scalekill")) {
                awaitSplit(a, b);
                produceLive(broker, in, 0, 3, expected);
                b.await("records=[1-9]", 30); // it has taken records whose windows are still open
                b.process.destroyForcibly(); // SIGKILL: no commit, no leaving the group, open windows lost
                b.process.waitFor();
            }
            // the survivor takes all 12 once the group notices (--session-timeout 2s) and replays them
            a.await("hiveparser: partitions \\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", 60);
            produceLive(broker, in, 3, 5, expected);
            try (DemoProcess b2 = member(broker, in, out, "scalekill")) {
                awaitSplit(a, b2);
                last = produceLive(broker, in, 5, 7, expected);
                endMarkers(broker, in, last + 25_000);
                broker.awaitCommittedUpToLast("scalekill", in, PARTITIONS, Duration.ofMinutes(2));
                Map<String, Long> seen = maxCounts(broker, out, expected.size());
                List<String> lower = new ArrayList<>();
                int higher = 0;
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    long s = seen.getOrDefault(e.getKey(), 0L);
                    if (s < e.getValue()) {
                        lower.add(e.getKey() + " " + s + " < " + e.getValue());
                    } else if (s > e.getValue()) {
                        higher++;
                    }
                }
                System.out.printf(
                        "after a SIGKILL: %d windows, %d counted more than produced (duplicates), %d window"
                                + " emissions in all%n",
                        expected.size(), higher, emissions);
                assertEquals(List.of(), lower, "no key's count may be lower than produced");
                stop(a);
                stop(b2);
            }
        }
    }

    @Test
    void withExactlyOnceAProcessKilledInTheMiddleAndStartedAgainWritesEveryWindowOnce() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String in = "scaleeos-in";
        String out = "scaleeos-out";
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 3, Map.of());
        Map<String, Long> expected = new TreeMap<>();
        try (DemoProcess a = member(broker, in, out, "scaleeos", "--exactly-once")) {
            long last;
            try (DemoProcess b = member(broker, in, out, "scaleeos", "--exactly-once")) {
                awaitSplit(a, b);
                produceLive(broker, in, 0, 3, expected);
                b.await("records=[1-9]", 30); // it has taken records whose windows are still open
                b.process.destroyForcibly(); // SIGKILL: its open transaction is aborted by the broker
                b.process.waitFor();
            }
            // the survivor waits for the dead member's transaction to end (transaction.timeout.ms, 10 s)
            // before it reads the committed offsets, then takes all 12 and replays them
            a.await("hiveparser: partitions \\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", 90);
            produceLive(broker, in, 3, 5, expected);
            try (DemoProcess b2 = member(broker, in, out, "scaleeos", "--exactly-once")) {
                awaitSplit(a, b2);
                last = produceLive(broker, in, 5, 7, expected);
                endMarkers(broker, in, last + 25_000);
                broker.awaitCommittedUpToLast("scaleeos", in, PARTITIONS, Duration.ofMinutes(2));
                Map<String, List<Long>> seen = emissionsPerWindow(broker, out, expected.size());
                List<String> wrong = new ArrayList<>();
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    List<Long> got = seen.getOrDefault(e.getKey(), List.of());
                    if (!got.equals(List.of(e.getValue()))) {
                        wrong.add(e.getKey() + " produced " + e.getValue() + ", emitted " + got);
                    }
                }
                System.out.printf(
                        "exactly-once after a SIGKILL: %d windows, %d not emitted exactly once, %d emissions%n",
                        expected.size(), wrong.size(), emissions);
                assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " windows wrong");
                assertEquals(expected.keySet(), seen.keySet());
                stop(a);
                stop(b2);
            }
        }
    }

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void withAChangelogAProcessKilledInTheMiddleIsRestoredAndEveryEmissionIsWhole(boolean exactlyOnce)
            throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String group = "scalecl" + (exactlyOnce ? "eos" : "alo");
        String in = group + "-in";
        String out = group + "-out";
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 3, Map.of());
        Map<String, Long> expected = new TreeMap<>();
        String[] changelog = exactlyOnce
                ? new String[] {"--changelog", group + "-windows", "--exactly-once"}
                : new String[] {"--changelog", group + "-windows"};
        try (DemoProcess a = member(broker, in, out, group, changelog)) {
            long last;
            try (DemoProcess b = member(broker, in, out, group, changelog)) {
                awaitSplit(a, b);
                produceLive(broker, in, 0, 3, expected);
                // it has committed records whose windows are open (they are in the changelog)
                b.await("commits=[1-9]", 30);
                b.process.destroyForcibly(); // SIGKILL: an open transaction is aborted by the broker
                b.process.waitFor();
            }
            // the survivor takes all 12, restores the victim's open windows, replays what came after
            a.await("hiveparser: partitions \\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", 90);
            a.await("hiveparser: restored [1-9][0-9]* keys' open windows from the changelog", 30);
            produceLive(broker, in, 3, 5, expected);
            try (DemoProcess b2 = member(broker, in, out, group, changelog)) {
                awaitSplit(a, b2);
                b2.await("hiveparser: restored [1-9][0-9]* keys' open windows from the changelog", 30);
                last = produceLive(broker, in, 5, 7, expected);
                endMarkers(broker, in, last + 25_000);
                broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofMinutes(2));
                Map<String, List<Long>> seen = emissionsPerWindow(broker, out, expected.size());
                List<String> wrong = new ArrayList<>();
                int twice = 0;
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    List<Long> got = seen.getOrDefault(e.getKey(), List.of());
                    if (got.isEmpty()
                            || got.stream().anyMatch(n -> !n.equals(e.getValue()))
                            || (exactlyOnce && got.size() > 1)) {
                        wrong.add(e.getKey() + " produced " + e.getValue() + ", emitted " + got);
                    } else if (got.size() > 1) {
                        twice++;
                    }
                }
                System.out.printf(
                        "with a changelog%s after a SIGKILL: %d windows, %d emitted more than once (whole), %d"
                                + " missing, not whole or (exactly-once) twice, %d emissions%n",
                        exactlyOnce ? " exactly once" : "", expected.size(), twice, wrong.size(), emissions);
                assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " windows wrong");
                assertEquals(expected.keySet(), seen.keySet());
                stop(a);
                stop(b2);
            }
        }
    }

    @ParameterizedTest(name = "exactly-once {0}")
    @ValueSource(booleans = {false, true})
    void threeProcessesInOneGroupCountEveryKeyExactly(boolean exactlyOnce) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String mode = exactlyOnce ? "eos" : "alo";
        String in = "scale3" + mode + "-in";
        String out = "scale3" + mode + "-out";
        String group = "scale3" + mode;
        broker.createTopic(in, PARTITIONS, Map.of());
        broker.createTopic(out, 3, Map.of());
        String[] extra = exactlyOnce ? new String[] {"--exactly-once"} : new String[0];
        try (DemoProcess a = member(broker, in, out, group, extra);
                DemoProcess b = member(broker, in, out, group, extra);
                DemoProcess c = member(broker, in, out, group, extra)) {
            awaitSplit(a, b, c);
            Map<String, Long> expected = new TreeMap<>();
            long last = produceLive(broker, in, 0, 6, expected);
            endMarkers(broker, in, last + 25_000);
            broker.awaitCommittedUpToLast(group, in, PARTITIONS, Duration.ofMinutes(2));
            if (exactlyOnce) {
                Map<String, List<Long>> seen = emissionsPerWindow(broker, out, expected.size());
                Map<String, List<Long>> want = new TreeMap<>();
                expected.forEach((k, v) -> want.put(k, List.of(v)));
                assertEquals(want, seen);
            } else {
                assertEquals(expected, maxCounts(broker, out, expected.size()));
            }
            stop(a);
            stop(b);
            stop(c);
        }
    }

    private static int emissions;

    private static DemoProcess member(KafkaBroker broker, String in, String out, String group, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--kafka",
                broker.bootstrap(),
                "--topic",
                in,
                "--out-topic",
                out,
                "--group",
                group,
                "--tumbling",
                "--window",
                "1s",
                // a margin for records stamped as they are written, which reach the partitions a little
                // out of order; hand-overs need none (a watermark per partition)
                "--grace",
                "15s",
                "--session-timeout",
                "2s",
                "--shards",
                "2"));
        args.addAll(List.of(extra));
        return DemoProcess.start("hiveparser", args.toArray(new String[0]));
    }

    /** Waits until every member holds some of the 12 partitions and together they hold each once. */
    private static void awaitSplit(DemoProcess... members) {
        Map<DemoProcess, Set<Integer>> held = new HashMap<>();
        try {
            awaitSplit(members, held);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder outputs = new StringBuilder();
            for (DemoProcess p : members) {
                outputs.append("\n--- member output:\n")
                        .append(p.output())
                        .append("--- stderr:\n")
                        .append(p.stderr.get());
            }
            throw new AssertionError("the members did not split the partitions: " + held + outputs, e);
        }
    }

    private static void awaitSplit(DemoProcess[] members, Map<DemoProcess, Set<Integer>> held) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (DemoProcess p : members) {
                        Matcher m = PARTS.matcher(p.output());
                        Set<Integer> last = Set.of();
                        while (m.find()) {
                            Set<Integer> s = new TreeSet<>();
                            Matcher nums = Pattern.compile("\\d+").matcher(m.group(1));
                            while (nums.find()) {
                                s.add(Integer.parseInt(nums.group()));
                            }
                            last = s;
                        }
                        held.put(p, last);
                    }
                    Set<Integer> union = new TreeSet<>();
                    int sum = 0;
                    for (Set<Integer> h : held.values()) {
                        if (h.isEmpty()) {
                            return false;
                        }
                        union.addAll(h);
                        sum += h.size();
                    }
                    return union.size() == PARTITIONS && sum == PARTITIONS;
                });
    }

    /**
     * Produces seconds {@code from} to {@code to} of live data: each second, one record per key at the
     * present time, so that records are stamped as they are written (as a real producer's are).
     *
     * @return the last timestamp written
     */
    private static long produceLive(KafkaBroker broker, String topic, int from, int to, Map<String, Long> expected)
            throws Exception {
        long last = 0;
        try (KafkaProducer<String, String> p = producer(broker)) {
            for (int s = from; s < to; s++) {
                long start = System.currentTimeMillis();
                List<Future<?>> sent = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    long ts = System.currentTimeMillis();
                    String key = "key-" + k;
                    sent.add(p.send(new ProducerRecord<>(topic, null, ts, key, Integer.toString(k % 10))));
                    expected.merge(key + "@" + Math.floorDiv(ts, 1000) * 1000, 1L, Long::sum);
                    last = ts;
                }
                for (Future<?> f : sent) {
                    f.get();
                }
                long left = 250 - (System.currentTimeMillis() - start);
                if (left > 0) {
                    Thread.sleep(left); // pacing the producer, not waiting for an outcome
                }
            }
        }
        return last;
    }

    private static KafkaProducer<String, String> producer(KafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** One record per partition after the data (and its grace): the watermark passes every data window. */
    private static void endMarkers(KafkaBroker broker, String topic, long ts) throws Exception {
        try (KafkaProducer<String, String> p = producer(broker)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                sent.add(p.send(new ProducerRecord<>(topic, i, ts, END_KEY, "1")));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    /**
     * Per key and window, the largest count on the output topic (at-least-once may emit a window again);
     * reads as {@link #emissionsPerWindow} does.
     */
    private static Map<String, Long> maxCounts(KafkaBroker broker, String topic, int expectedWindows) {
        Map<String, Long> max = new TreeMap<>();
        emissionsPerWindow(broker, topic, expectedWindows)
                .forEach((window, counts) -> max.put(window, java.util.Collections.max(counts)));
        return max;
    }

    /**
     * Per key and window, every count emitted, read with {@code read_committed} (which also reads the
     * at-least-once output, written outside transactions); reads until all are there and nothing more
     * came for a second, or 30 s passed.
     */
    private static Map<String, List<Long>> emissionsPerWindow(KafkaBroker broker, String topic, int expectedWindows) {
        Map<String, List<Long>> all = new TreeMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int n = 0;
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var polled = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : polled) {
                    Matcher m = WINDOW.matcher(r.value());
                    assertTrue(m.find(), "not a window result: " + r.value());
                    assertEquals(m.group(1), r.key());
                    n++;
                    if (!m.group(1).equals(END_KEY)) {
                        all.computeIfAbsent(m.group(1) + "@" + m.group(2), k -> new ArrayList<>())
                                .add(Long.parseLong(m.group(4)));
                    }
                }
                if (!polled.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                if (all.size() >= expectedWindows && System.nanoTime() - quietSince > 1_000_000_000L) {
                    break;
                }
            }
        }
        emissions = n;
        return all;
    }

    private static void stop(DemoProcess p) throws Exception {
        p.signal("TERM");
        String err = p.stderrAfterExit();
        assertEquals(0, p.process.exitValue(), "exit status; stderr:\n" + err);
        assertTrue(p.output().contains("hiveparser: totals records="), p.output());
    }
}
