package dev.warren.bench;

import dev.warren.kafka.KafkaBroker;
import dev.warren.kafka.KafkaSink;
import dev.warren.kafka.KafkaSource;
import dev.warren.kafka.KafkaSourceStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 18 §2: how long a process takes to restore keys' open windows from a changelog, per million keys.
 * On a real broker (the kafka module's {@link KafkaBroker}), per round: an input topic gets one record
 * for each of N keys, all in one open window (tumbling 60 s); member A ({@code KafkaSource} with {@code
 * changelog(...)}, in this JVM) reads them and commits, so the changelog holds N keys' states; A leaves
 * (its open windows go with it); member B joins and, before its first record, reads the changelog and
 * hands every key to its shards. Reported per round: B's restore as the source measures it (reading the
 * changelog partitions to their end and handing the keys on), and the time from B's start (joining the
 * group included) until its shards hold all N keys; both also per million keys; medians over the rounds.
 *
 * <pre>
 * java -cp 'bench/target/warren-bench.jar:bench/target/lib/*' dev.warren.bench.KafkaRestoreBench \
 *     [--keys 1000000] [--partitions 12] [--rounds 3]
 * </pre>
 */
public final class KafkaRestoreBench {
    private KafkaRestoreBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        int keys = 1_000_000;
        int partitions = 12;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--keys" -> keys = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("KafkaRestoreBench: unknown argument '" + args[i] + "'");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("warren-kafka-restore-");
        List<long[]> results = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start(Files.createDirectories(work.resolve("broker")), true)) {
            System.out.printf(
                    Locale.ROOT,
                    "# %d cores, java %s, Kafka 4.4.0 broker %s; %,d keys, %d partitions, tumbling 60 s count+sum%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.version(),
                    broker.bootstrap(),
                    keys,
                    partitions);
            for (int round = 1; round <= rounds; round++) {
                long[] r = round(broker, round, keys, partitions);
                results.add(r);
                System.out.printf(
                        Locale.ROOT,
                        "round %d  restored %,d keys: restore %,d ms (%,.0f ms per million keys); from B's start"
                                + " (join included) until its shards hold them %,d ms (%,.0f ms per million);"
                                + " changelog records written by A: %,d%n",
                        round,
                        r[0],
                        r[1],
                        r[1] * 1e6 / r[0],
                        r[2],
                        r[2] * 1e6 / r[0],
                        r[3]);
            }
        }
        double source = median(results, 1);
        double shards = median(results, 2);
        System.out.printf(
                Locale.ROOT,
                "== restore from the changelog, median of %d rounds: %,.0f ms per million keys (read and handed"
                        + " on); %,.0f ms per million keys from the new member's start until its shards hold them ==%n",
                rounds,
                source * 1e6 / keys,
                shards * 1e6 / keys);
        System.exit(0);
    }

    private static double median(List<long[]> rs, int i) {
        List<Long> v = new ArrayList<>();
        for (long[] r : rs) {
            v.add(r[i]);
        }
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2.0;
    }

    /** {restored keys, source restore ms, ms until the shards hold them, changelog records A wrote}. */
    private static long[] round(KafkaBroker broker, int round, int keys, int partitions) throws Exception {
        String in = "restore" + round + "-in";
        String out = "restore" + round + "-out";
        String group = "restore" + round;
        broker.createTopic(in, partitions, Map.of());
        broker.createTopic(out, partitions, Map.of());
        long ts = System.currentTimeMillis() / 60_000 * 60_000 - 3_600_000; // one window an hour ago
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int k = 0; k < keys; k++) {
                var unused = producer.send(new ProducerRecord<>(in, null, ts + k % 1000, "k" + k, "1"), (md, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("filling the input failed", failed.get());
        }
        long written;
        KafkaSource<KeyValue> a = member(broker, in, out, group);
        try {
            awaitCommittedToEnd(broker, group, in, partitions);
        } finally {
            a.close();
        }
        written = a.stats().changelogRecords();
        long t0 = System.nanoTime();
        KafkaSource<KeyValue> b = member(broker, in, out, group);
        try {
            StreamJob<KeyValue> job = jobs.get(b);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (job.stats().liveKeys() < keys || b.stats().restoredKeys() < keys) {
                if (System.nanoTime() > deadline || !b.isRunning()) {
                    throw new IllegalStateException("B holds " + job.stats().liveKeys() + " of " + keys
                            + " keys after 5 min; source " + b.stats() + ", failure " + b.failure());
                }
                TimeUnit.MILLISECONDS.sleep(5); // polling the counters: nothing to wait on instead
            }
            long untilShards = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            KafkaSourceStats s = b.stats();
            return new long[] {s.restoredKeys(), s.lastRestoreMillis(), untilShards, written};
        } finally {
            b.close();
        }
    }

    private static final Map<KafkaSource<KeyValue>, StreamJob<KeyValue>> jobs = new HashMap<>();

    private static KafkaSource<KeyValue> member(KafkaBroker broker, String in, String out, String group) {
        KafkaSource<KeyValue> s = KafkaSource.keyValues(broker.bootstrap(), in, group)
                .changelog(group + "-changelog")
                .commitInterval(Duration.ofSeconds(1))
                .build();
        jobs.put(
                s,
                s.start(StreamJob.<KeyValue>builder(group)
                        .keyBy(KeyValue::key)
                        .shards(2)
                        .window(Windows.tumbling(Duration.ofSeconds(60)), Aggregators.stats(KeyValue::value))
                        .sink(KafkaSink.json(broker.bootstrap(), out))));
        return s;
    }

    private static void awaitCommittedToEnd(KafkaBroker broker, String group, String topic, int partitions)
            throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get();
                boolean all = true;
                for (TopicPartition tp : latest.keySet()) {
                    all &= c.get(tp) != null
                            && c.get(tp).offset() >= ends.get(tp).offset();
                }
                if (all) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("A did not commit its input within 5 min: " + c);
                }
                TimeUnit.MILLISECONDS.sleep(50); // polling the broker: nothing to wait on instead
            }
        }
    }
}
