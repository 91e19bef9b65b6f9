package dev.warren.bench;

import dev.warren.streaming.Backpressure;
import dev.warren.streaming.Emitter;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.Stores;

/**
 * Issue 6 §4's peer: the same windowed count over the same events through Warren and through Kafka
 * Streams. N events over K keys, event time spread evenly over {@code SPAN}, hopping windows of 5 s
 * advancing by 1 s (every event is in 5 windows), count per key and window.
 * <ul>
 *   <li><b>warren</b> — a {@code StreamJob} with event time, S shards, fed by {@code emitAll(256)}
 *       from one producer; timed until every event was applied plus the final flush at close.</li>
 *   <li><b>kafka-streams</b> — {@code groupByKey().windowedBy(TimeWindows 5 s / 1 s).count()}
 *       materialized in an in-memory window store (no caching, no changelog), driven by {@code TopologyTestDriver} (single-threaded,
 *       no broker: the cost of the Streams engine itself, serdes included); timed until the last
 *       record was piped.</li>
 * </ul>
 * Both sides check that the window counts add up to 5 x N.
 *
 * <pre>
 * java -cp 'bench/target/warren-bench.jar:bench/target/lib/*' dev.warren.bench.KafkaStreamsPeer [events] [keys]
 * </pre>
 */
public final class KafkaStreamsPeer {
    private static final Duration SIZE = Duration.ofSeconds(5);
    private static final Duration SLIDE = Duration.ofSeconds(1);
    private static final long SPAN_MS = 60_000;
    private static final long BASE = 1_700_000_000_000L;

    private KafkaStreamsPeer() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        long events = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int shards = Integer.getInteger("shards", Runtime.getRuntime().availableProcessors());
        int rounds = Integer.getInteger("rounds", 3);
        System.out.printf(
                Locale.ROOT,
                "# %d cores, java %s, %,d events over %,d keys, event time over %d s, hopping %s/%s count,"
                        + " shards=%d%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                events,
                keys,
                SPAN_MS / 1000,
                SIZE,
                SLIDE,
                shards);
        String[] names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "k" + i;
        }
        long warm = Math.min(events, 200_000);
        warren(names, warm, shards);
        kafka(names, warm);
        double bestW = 0;
        double bestK = 0;
        for (int r = 0; r < rounds; r++) {
            bestW = Math.max(bestW, warren(names, events, shards));
            bestK = Math.max(bestK, kafka(names, events));
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT keys=%,d  warren %.2f M ev/s (%.1fx)  kafka-streams TopologyTestDriver %.3f M ev/s (1.0x)%n",
                keys,
                bestW / 1e6,
                bestW / bestK,
                bestK / 1e6);
    }

    private static long timestamp(long i, long n) {
        return BASE + i * SPAN_MS / n;
    }

    private static double warren(String[] keys, long n, int shards) throws InterruptedException {
        AtomicLong counted = new AtomicLong();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("kafka-peer")
                .keyBy(KeyValue::key)
                .shards(shards)
                .queueCapacity(16_384)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.sliding(SIZE, SLIDE), Aggregators.count())
                .sink((r, s) -> counted.addAndGet(r.value()))
                .start();
        Emitter<KeyValue> em = job.eventEmitter("bench", Backpressure.BLOCK);
        System.gc();
        long t0 = System.nanoTime();
        int k = keys.length;
        List<KeyValue> buf = new ArrayList<>(256);
        for (long i = 0; i < n; i++) {
            buf.add(new KeyValue(keys[(int) (i % k)], 1, timestamp(i, n)));
            if (buf.size() == 256) {
                em.emitAll(buf);
                buf.clear();
            }
        }
        em.emitAll(buf);
        job.close();
        long t1 = System.nanoTime();
        check("warren", counted.get(), n);
        double rate = n * 1e9 / (t1 - t0);
        System.out.printf(
                Locale.ROOT,
                "warren         %,6.3f M ev/s  (%,d ms incl. final flush)%n",
                rate / 1e6,
                (t1 - t0) / 1_000_000);
        return rate;
    }

    private static double kafka(String[] keys, long n) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("events", Consumed.with(Serdes.String(), Serdes.Long()))
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, Duration.ZERO).advanceBy(SLIDE))
                .count(Materialized.<String, Long>as(
                                Stores.inMemoryWindowStore("counts", Duration.ofMillis(SPAN_MS * 2), SIZE, false))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.Long())
                        .withCachingDisabled()
                        .withLoggingDisabled()); // no changelog: the driver would keep every update in memory
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "warren-peer");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put("processing.exception.handler.global.enabled", "true"); // 4.x: the default of 5.0, no warning
        System.gc();
        long t0 = System.nanoTime();
        long counted = 0;
        try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props, Instant.ofEpochMilli(BASE))) {
            TestInputTopic<String, Long> in = driver.createInputTopic(
                    "events", Serdes.String().serializer(), Serdes.Long().serializer());
            int k = keys.length;
            for (long i = 0; i < n; i++) {
                in.pipeInput(keys[(int) (i % k)], 1L, timestamp(i, n));
            }
            long t1 = System.nanoTime();
            try (KeyValueIterator<
                            org.apache.kafka.streams.kstream.Windowed<String>,
                            org.apache.kafka.streams.state.ValueAndTimestamp<Long>>
                    it = driver.<String, Long>getTimestampedWindowStore("counts")
                            .all()) {
                while (it.hasNext()) {
                    counted += it.next().value.value();
                }
            }
            check("kafka-streams", counted, n);
            double rate = n * 1e9 / (t1 - t0);
            System.out.printf(
                    Locale.ROOT, "kafka-streams  %,6.3f M ev/s  (%,d ms)%n", rate / 1e6, (t1 - t0) / 1_000_000);
            return rate;
        }
    }

    /** Every event is in 5 hopping windows. */
    private static void check(String who, long counted, long n) {
        if (counted != 5 * n) {
            throw new AssertionError(who + ": windows counted " + counted + " events, expected 5 x " + n);
        }
    }
}
