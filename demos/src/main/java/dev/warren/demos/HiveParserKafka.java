package dev.warren.demos;

import dev.warren.kafka.KafkaSink;
import dev.warren.kafka.KafkaSource;
import dev.warren.kafka.KafkaSourceStats;
import dev.warren.streaming.JobStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowSpec;
import dev.warren.streaming.window.Windows;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./hiveparser --kafka BOOTSTRAP --topic IN ...}: the hiveparser windows (count, sum, min, max per
 * key) computed from a Kafka topic by a member of a consumer group, results to a topic ({@code
 * --out-topic}, JSON as {@code --jsonl}) and/or {@code --jsonl}; and {@code ./hiveparser --generate RATE
 * --keys K --to-kafka BOOTSTRAP --topic IN}, which fills a topic instead of sending UDP. One summary line
 * a second; SIGINT/SIGTERM close the source (offsets of closed windows committed, open windows dropped
 * for the partitions' next reader) and print the totals.
 */
final class HiveParserKafka {
    static final String USAGE = """
            usage: hiveparser --kafka BOOTSTRAP --topic IN [--out-topic OUT] [--group G]
                              [--dead-letter-topic DLQ] [--window 5s] [--slide 1s | --tumbling] [--grace D]
                              [--session-timeout D] [--shards N] [--jsonl FILE|-] [--partitions N]
                              [--exactly-once] [--changelog TOPIC]
                   hiveparser --generate RATE --keys K [--duration D] --to-kafka BOOTSTRAP --topic IN
              --kafka B          read records (key = the key, value = a number or empty for 1, record time =
                                 event time) from topic --topic of the cluster at B as member of group --group
                                 (default hiveparser); several processes with one group share the partitions
              --out-topic T      every window emission to topic T, keyed by key, JSON as --jsonl
              --exactly-once     Kafka transactions: each window written to --out-topic once (read it with
                                 isolation.level=read_committed), its input offsets committed with it;
                                 default at-least-once (a window may come twice after a crash, complete)
              --changelog T      keep the open windows in the compacted topic T (made if missing, one
                                 partition per input partition): offsets are committed with them, not once
                                 the windows close, and a partition's next reader restores them
              --dead-letter-topic T  records without a key or with a value that is not a number, and late ones
              --grace D          accept late records for D after a window's end (default 0)
              --to-kafka B       with --generate: write RATE records/s to --topic of the cluster at B
                                 (key kN, value a number, time now), then exit
              --session-timeout D  how soon the group notices a member that died (Kafka's default: 45s)
              --partitions N     topics that do not exist yet are created with N partitions (default 12)""";

    private HiveParserKafka() {}

    static boolean wanted(String[] args) {
        for (String a : args) {
            if (a.equals("--kafka") || a.equals("--to-kafka")) {
                return true;
            }
        }
        return false;
    }

    record Options(
            String bootstrap,
            boolean generate,
            String topic,
            String outTopic,
            String group,
            String deadLetters,
            WindowSpec windows,
            Duration grace,
            int shards,
            String jsonl,
            long rate,
            int keys,
            Duration duration,
            int partitions,
            Duration sessionTimeout,
            boolean exactlyOnce,
            String changelog) {

        static Options parse(String[] args) {
            String kafka = null;
            String toKafka = null;
            String topic = null;
            String out = null;
            String group = "hiveparser";
            String dlq = null;
            Duration window = Duration.ofSeconds(5);
            Duration slide = null;
            boolean tumbling = false;
            Duration grace = Duration.ZERO;
            int shards = Math.max(1, Runtime.getRuntime().availableProcessors());
            String jsonl = null;
            long rate = 0;
            int keys = 0;
            Duration duration = null;
            int partitions = 12;
            Duration session = null;
            boolean exactlyOnce = false;
            String changelog = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--kafka" -> kafka = Args.value(args, i++);
                    case "--to-kafka" -> toKafka = Args.value(args, i++);
                    case "--topic" -> topic = Args.value(args, i++);
                    case "--out-topic" -> out = Args.value(args, i++);
                    case "--group" -> group = Args.value(args, i++);
                    case "--dead-letter-topic" -> dlq = Args.value(args, i++);
                    case "--window" -> window = Args.duration(a, Args.value(args, i++));
                    case "--slide" -> slide = Args.duration(a, Args.value(args, i++));
                    case "--tumbling" -> tumbling = true;
                    case "--exactly-once" -> exactlyOnce = true;
                    case "--changelog" -> changelog = Args.value(args, i++);
                    case "--grace" -> grace = Args.duration(a, Args.value(args, i++));
                    case "--shards" -> shards = (int) Args.number(a, Args.value(args, i++), 1, 1024);
                    case "--jsonl" -> jsonl = Args.value(args, i++);
                    case "--generate" -> rate = Args.number(a, Args.value(args, i++), 1, 10_000_000);
                    case "--keys" -> keys = (int) Args.number(a, Args.value(args, i++), 1, 10_000_000);
                    case "--duration" -> duration = Args.duration(a, Args.value(args, i++));
                    case "--session-timeout" -> session = Args.duration(a, Args.value(args, i++));
                    case "--partitions" -> partitions = (int) Args.number(a, Args.value(args, i++), 1, 10_000);
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "' with --kafka");
                }
            }
            if ((kafka == null) == (toKafka == null)) {
                throw new IllegalArgumentException(
                        "give one of --kafka BOOTSTRAP (read) or --to-kafka BOOTSTRAP" + " (with --generate: write)");
            }
            if (topic == null) {
                throw new IllegalArgumentException("--kafka and --to-kafka need --topic TOPIC");
            }
            if (toKafka != null) {
                if (rate == 0 || keys == 0) {
                    throw new IllegalArgumentException("--to-kafka goes with --generate RATE --keys K");
                }
                return new Options(
                        toKafka,
                        true,
                        topic,
                        null,
                        null,
                        null,
                        null,
                        grace,
                        shards,
                        null,
                        rate,
                        keys,
                        duration,
                        partitions,
                        null,
                        false,
                        null);
            }
            if (rate > 0) {
                throw new IllegalArgumentException("--generate writes with --to-kafka, not --kafka");
            }
            if (slide != null && tumbling) {
                throw new IllegalArgumentException("choose one of --slide, --tumbling");
            }
            if (slide == null && !tumbling) {
                slide = Duration.ofSeconds(1).compareTo(window) < 0 ? Duration.ofSeconds(1) : window;
            }
            if (slide != null && (slide.compareTo(window) > 0 || window.toMillis() % slide.toMillis() != 0)) {
                throw new IllegalArgumentException(
                        "--slide " + slide.toMillis() + "ms must divide --window " + window.toMillis() + "ms");
            }
            if (exactlyOnce && out == null) {
                throw new IllegalArgumentException("--exactly-once writes the windows to --out-topic: give one");
            }
            if (out == null && jsonl == null) {
                throw new IllegalArgumentException(
                        "--kafka needs somewhere for the windows: --out-topic and/or --jsonl");
            }
            WindowSpec spec = tumbling ? Windows.tumbling(window) : Windows.sliding(window, slide);
            return new Options(
                    kafka,
                    false,
                    topic,
                    out,
                    group,
                    dlq,
                    spec,
                    grace,
                    shards,
                    jsonl,
                    0,
                    0,
                    duration,
                    partitions,
                    session,
                    exactlyOnce,
                    changelog);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        // the Kafka clients log every setting at info; the demo shows their warnings only (set before
        // their first logger is made: slf4j-simple reads a logger's level as it creates it)
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("hiveparser: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            List<String> topics = new ArrayList<>(List.of(o.topic()));
            if (o.outTopic() != null) {
                topics.add(o.outTopic());
            }
            if (o.deadLetters() != null) {
                topics.add(o.deadLetters());
            }
            createMissing(o.bootstrap(), topics, o.partitions(), "-".equals(o.jsonl()) ? err : out);
            return o.generate() ? generate(o, out) : consume(o, out, err);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("hiveparser: " + e.getMessage());
            return 1;
        }
    }

    /** Creates the topics that do not exist yet, with {@code partitions} partitions and one replica each. */
    private static void createMissing(String bootstrap, List<String> topics, int partitions, PrintStream info)
            throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            for (String t : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(t, partitions, (short) 1)))
                            .all()
                            .get(15, TimeUnit.SECONDS);
                    info.println("hiveparser: created topic '" + t + "' with " + partitions + " partitions");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic '" + t + "' at " + bootstrap + ": "
                                        + e.getCause().getMessage(),
                                e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("no Kafka broker answered at " + bootstrap + " within 15 s", e);
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalArgumentException("cannot reach Kafka at '" + bootstrap + "': " + e.getMessage(), e);
        }
    }

    /** Fills the topic at RATE records/s (key kN, value 0..99, time now) until --duration or a signal. */
    private static int generate(Options o, PrintStream out) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        LongAdder acked = new LongAdder();
        AtomicReference<Exception> failed = new AtomicReference<>();
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "hiveparser-generate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long sent = 0;
        long start = System.nanoTime();
        long end = o.duration() == null ? Long.MAX_VALUE : start + o.duration().toNanos();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            if (producer.partitionsFor(o.topic()).isEmpty()) {
                throw new IllegalArgumentException("topic '" + o.topic() + "' has no partitions");
            }
            out.println("hiveparser: writing " + o.rate() + " records/s over " + o.keys() + " keys to topic '"
                    + o.topic() + "' at " + o.bootstrap());
            out.flush();
            while (stop.getCount() > 0 && System.nanoTime() < end) {
                long due = (System.nanoTime() - start) * o.rate() / 1_000_000_000L + 1;
                long now = System.currentTimeMillis();
                for (; sent < due; sent++) {
                    ProducerRecord<String, String> r = new ProducerRecord<>(
                            o.topic(), null, now, "k" + (sent % o.keys()), Long.toString(sent % 100));
                    var unused = producer.send(r, (md, ex) -> {
                        if (ex == null) {
                            acked.increment();
                        } else {
                            failed.compareAndSet(null, ex);
                        }
                    });
                }
                stop.await(1, TimeUnit.MILLISECONDS);
            }
            producer.flush();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook ran: we are ending anyway
            }
        }
        out.println("hiveparser: generated=" + sent + " acknowledged=" + acked.sum()
                + (failed.get() == null ? "" : " first failure: " + failed.get()));
        out.flush();
        return failed.get() == null ? 0 : 1;
    }

    private static int consume(Options o, PrintStream out, PrintStream err) throws Exception {
        KafkaSource.Builder<KeyValue> sb = KafkaSource.keyValues(o.bootstrap(), o.topic(), o.group());
        if (o.deadLetters() != null) {
            sb.deadLetterTopic(o.deadLetters());
        }
        if (o.exactlyOnce()) {
            sb.exactlyOnce();
        }
        if (o.changelog() != null) {
            sb.changelog(o.changelog());
        }
        if (o.sessionTimeout() != null) {
            long ms = o.sessionTimeout().toMillis();
            sb.consumerProperty("session.timeout.ms", Long.toString(ms));
            sb.consumerProperty("heartbeat.interval.ms", Long.toString(Math.max(1, ms / 3)));
        }
        KafkaSource<KeyValue> source = sb.build();
        StreamJob.Builder<KeyValue, String, Void, Stats> b = StreamJob.<KeyValue>builder("hiveparser")
                .keyBy(KeyValue::key)
                .shards(o.shards())
                .grace(o.grace())
                .window(o.windows(), Aggregators.stats(KeyValue::value));
        if (o.outTopic() != null) {
            b.sink(
                    o.exactlyOnce()
                            ? KafkaSink.<String, Stats, Void>exactlyOnce(source, o.outTopic())
                            : KafkaSink.<String, Stats, Void>json(o.bootstrap(), o.outTopic()));
        }
        PrintStream info = "-".equals(o.jsonl()) ? err : out;
        if (o.jsonl() != null) {
            if (o.jsonl().equals("-")) {
                b.sink(Sinks.jsonLines(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))));
            } else {
                try {
                    b.sink(Sinks.jsonLines(Path.of(o.jsonl())));
                } catch (IOException e) {
                    err.println("hiveparser: cannot write --jsonl " + o.jsonl() + ": " + e.getMessage());
                    return 1;
                }
            }
        }
        StreamJob<KeyValue> job = source.start(b);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger(1);
        Thread hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        done.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    out.flush();
                    err.flush();
                    // a JVM ended by SIGTERM/SIGINT exits 143/130 after its hooks; a clean stop is success
                    Runtime.getRuntime().halt(exitCode.get());
                },
                "hiveparser-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        info.println("hiveparser: reading topic '" + o.topic() + "' as group '" + o.group() + "' from "
                + o.bootstrap() + ", " + o.shards() + " shards, " + o.windows()
                + (o.outTopic() != null ? ", windows to topic '" + o.outTopic() + "'" : "")
                + (o.exactlyOnce() ? " exactly once" : "")
                + (o.changelog() != null ? ", open windows in changelog '" + o.changelog() + "'" : "")
                + (o.jsonl() != null ? ", windows to " + o.jsonl() : ""));
        info.flush();
        long startNanos = System.nanoTime();
        long deadline = o.duration() == null
                ? Long.MAX_VALUE
                : startNanos + o.duration().toNanos();
        String lastAssignment = "";
        long lastRestored = 0;
        while (!stop.await(Math.min(1_000_000_000L, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)
                && System.nanoTime() < deadline
                && source.isRunning()) {
            String a = partitions(source);
            if (!a.equals(lastAssignment)) {
                info.println("hiveparser: partitions " + a);
                lastAssignment = a;
            }
            KafkaSourceStats ks = source.stats();
            if (ks.restoredKeys() != lastRestored) {
                info.println("hiveparser: restored " + (ks.restoredKeys() - lastRestored)
                        + " keys' open windows from the changelog in " + ks.lastRestoreMillis() + " ms");
                lastRestored = ks.restoredKeys();
            }
            info.println(summary(job.stats(), source.stats(), (System.nanoTime() - startNanos) / 1e9));
            info.flush();
        }
        source.close(); // stop reading, commit closed windows, drop the open ones, leave the group
        info.println("hiveparser: totals " + totals(job.stats(), source.stats()));
        info.flush();
        Throwable failure = source.failure();
        if (failure != null) {
            err.println("hiveparser: the Kafka consumer failed: " + failure);
        }
        exitCode.set(failure == null ? 0 : 1);
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and waits for done
        }
        return failure == null ? 0 : 1;
    }

    private static String partitions(KafkaSource<?> source) {
        List<Integer> ps = new ArrayList<>();
        for (TopicPartition tp : source.assignment()) {
            ps.add(tp.partition());
        }
        return new TreeSet<>(ps).toString();
    }

    static String summary(JobStats j, KafkaSourceStats k, double seconds) {
        return String.format(
                "t=%.0fs records=%d events=%d/s windows=%d late=%d bad=%d commits=%d partitions=%d",
                seconds,
                k.records(),
                (long) j.eventsPerSecond(),
                j.windowsEmitted(),
                j.late(),
                k.badRecords(),
                k.commits(),
                k.partitions());
    }

    static String totals(JobStats j, KafkaSourceStats k) {
        return "records=" + k.records() + " events=" + j.eventsIn() + " windows=" + j.windowsEmitted() + " late="
                + j.late() + " bad=" + k.badRecords() + " dead-lettered=" + k.deadLettered() + " commits="
                + k.commits() + " failed-commits=" + k.failedCommits() + " rebalances=" + k.rebalances()
                + " suppressed=" + k.suppressed() + " restored-keys=" + k.restoredKeys() + " changelog-records="
                + k.changelogRecords();
    }
}
