package dev.warren.bench;

import dev.warren.kafka.KafkaSink;
import dev.warren.kafka.KafkaSource;
import dev.warren.kafka.KafkaSourceStats;
import dev.warren.streaming.JobStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * One member of {@link KafkaScaleOutBench}'s consumer group, in a JVM of its own: {@code warren} runs a
 * {@link KafkaSource} into a {@link StreamJob} with a {@link KafkaSink}, as {@code ./hiveparser --kafka
 * --out-topic} does; {@code streams} runs the Kafka Streams application that computes the same windows.
 * Both read keys and number values from the input topic, compute hopping windows of 5 s advancing by 1 s
 * on the records' times, and write one JSON object per window emission ({@code key}, {@code start},
 * {@code end}, {@code count}, {@code sum}, ...) keyed by the key to the output topic.
 *
 * <p>It prints {@code FIRST <epoch ms>} once, when it has consumed its first record (for Warren: the
 * source's record counter, looked at every millisecond; for Kafka Streams: a {@code peek} before the
 * aggregation), then runs until it is killed; it exits with status 1 if its engine fails.
 *
 * <pre>
 * KafkaScaleOutWorker warren|warren-cl|streams BOOTSTRAP IN OUT GROUP CLIENT_ID THREADS GRACE_MS SESSION_MS
 *                     KS_COMMIT_MS STATE_DIR
 * </pre>
 *
 * <p>Threading: the main thread waits; the engines run their own threads (the Kafka source's poll thread
 * and the job's shards; Kafka Streams' stream threads).
 */
public final class KafkaScaleOutWorker {
    private static final Duration SIZE = Duration.ofSeconds(5);
    private static final Duration ADVANCE = Duration.ofSeconds(1);

    private static volatile long firstMs;

    private KafkaScaleOutWorker() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 11) {
            System.err.println(
                    "usage: KafkaScaleOutWorker warren|warren-cl|streams BOOTSTRAP IN OUT GROUP CLIENT_ID THREADS"
                            + " GRACE_MS SESSION_MS KS_COMMIT_MS STATE_DIR");
            System.exit(2);
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        }
        String side = args[0];
        String bootstrap = args[1];
        String in = args[2];
        String out = args[3];
        String group = args[4];
        String clientId = args[5];
        int threads = Integer.parseInt(args[6]);
        Duration grace = Duration.ofMillis(Long.parseLong(args[7]));
        long sessionMs = Long.parseLong(args[8]);
        long ksCommitMs = Long.parseLong(args[9]);
        String stateDir = args[10];
        switch (side) {
            case "warren" -> warren(bootstrap, in, out, group, clientId, threads, grace, sessionMs, false);
            case "warren-cl" -> warren(bootstrap, in, out, group, clientId, threads, grace, sessionMs, true);
            case "streams" ->
                streams(bootstrap, in, out, group, clientId, threads, grace, sessionMs, ksCommitMs, stateDir);
            default -> {
                System.err.println("unknown side '" + side + "' (warren, warren-cl or streams)");
                System.exit(2);
            }
        }
    }

    private static void warren(
            String bootstrap,
            String in,
            String out,
            String group,
            String clientId,
            int shards,
            Duration grace,
            long sessionMs,
            boolean changelog) {
        KafkaSource.Builder<KeyValue> sb = KafkaSource.keyValues(bootstrap, in, group);
        if (changelog) {
            sb.changelog(group + "-changelog");
        }
        KafkaSource<KeyValue> source = sb.consumerProperty(ConsumerConfig.CLIENT_ID_CONFIG, clientId)
                .consumerProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionMs))
                .consumerProperty(
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(1, sessionMs / 3)))
                .build();
        StreamJob<KeyValue> job = source.start(StreamJob.<KeyValue>builder("kafka-e2e")
                .keyBy(KeyValue::key)
                .shards(shards)
                .grace(grace)
                .window(Windows.sliding(SIZE, ADVANCE), Aggregators.stats(KeyValue::value))
                .sink(KafkaSink.json(bootstrap, out)));
        // The source counts records as it takes them from a poll: its first is the first consumed.
        while (source.stats().records() == 0 && source.isRunning()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (source.stats().records() > 0) {
            first(System.currentTimeMillis());
        }
        // once a second the counters a wrong output would be explained by (late, future, dropped)
        long next = System.nanoTime();
        while (source.isRunning()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            if (System.nanoTime() - next >= 0) {
                next += TimeUnit.SECONDS.toNanos(1);
                JobStats j = job.stats();
                KafkaSourceStats k = source.stats();
                System.out.printf(
                        Locale.ROOT,
                        "stats records=%d events=%d late=%d future=%d dropped=%d windows=%d bad=%d commits=%d"
                                + " rebalances=%d partitions=%d watermark=%d%n",
                        k.records(),
                        j.eventsIn(),
                        j.late(),
                        j.future(),
                        j.dropped(),
                        j.windowsEmitted(),
                        k.badRecords(),
                        k.commits(),
                        k.rebalances(),
                        k.partitions(),
                        k.watermark());
                // each held partition's close limit (its lane's closedThrough): a wrong output is explained by it
                StringBuilder closed = new StringBuilder("closed");
                for (var tp : source.assignment()) {
                    closed.append(' ').append(tp.partition()).append('=').append(job.closedThrough(tp.partition() + 1));
                }
                System.out.println(closed);
                System.out.flush();
            }
        }
        System.err.println("kafka-e2e warren: the source ended: " + source.failure());
        System.exit(1);
    }

    private static void streams(
            String bootstrap,
            String in,
            String out,
            String appId,
            String clientId,
            int threads,
            Duration grace,
            long sessionMs,
            long commitMs,
            String stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.CLIENT_ID_CONFIG, clientId);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), Long.toString(sessionMs));
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Long.toString(Math.max(1, sessionMs / 3)));
        StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
                .peek((k, v) -> {
                    if (firstMs == 0) {
                        firstMs = System.currentTimeMillis();
                    }
                })
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, grace).advanceBy(ADVANCE))
                .aggregate(
                        () -> CountSum.ZERO,
                        (k, v, agg) -> agg.add(value(v)),
                        Materialized.with(Serdes.String(), new CountSumSerde()))
                .toStream()
                .map((w, cs) -> org.apache.kafka.streams.KeyValue.pair(
                        w.key(),
                        String.format(
                                Locale.ROOT,
                                "{\"key\":\"%s\",\"start\":%d,\"end\":%d,\"count\":%d,\"sum\":%s}",
                                w.key(),
                                w.window().start(),
                                w.window().end(),
                                cs.count(),
                                Double.toString(cs.sum()))))
                .to(out, Produced.with(Serdes.String(), Serdes.String()));
        KafkaStreams streams = new KafkaStreams(b.build(), p);
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println("kafka-e2e streams: a stream thread failed: " + e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        while (firstMs == 0 && running(streams)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (firstMs != 0) {
            first(firstMs);
        }
        while (running(streams)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        System.err.println("kafka-e2e streams: the application ended in state " + streams.state());
        System.exit(1);
    }

    private static boolean running(KafkaStreams s) {
        KafkaStreams.State st = s.state();
        return st != KafkaStreams.State.ERROR
                && st != KafkaStreams.State.NOT_RUNNING
                && st != KafkaStreams.State.PENDING_ERROR
                && st != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    private static void first(long ms) {
        System.out.println("FIRST " + ms);
        System.out.flush();
    }

    /** The value as Warren's {@code keyValues} parser reads it: empty counts 1, else a number. */
    private static double value(String v) {
        return v == null || v.isBlank() ? 1 : Double.parseDouble(v.strip());
    }

    /** A window's count and sum: the Kafka Streams aggregate. */
    record CountSum(long count, double sum) {
        static final CountSum ZERO = new CountSum(0, 0);

        CountSum add(double v) {
            return new CountSum(count + 1, sum + v);
        }
    }

    /** 16 bytes: count, then sum. */
    static final class CountSumSerde implements Serde<CountSum> {
        @Override
        public Serializer<CountSum> serializer() {
            return (topic, cs) -> cs == null
                    ? null
                    : ByteBuffer.allocate(16)
                            .putLong(cs.count())
                            .putDouble(cs.sum())
                            .array();
        }

        @Override
        public Deserializer<CountSum> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                ByteBuffer bb = ByteBuffer.wrap(bytes);
                return new CountSum(bb.getLong(), bb.getDouble());
            };
        }
    }
}
