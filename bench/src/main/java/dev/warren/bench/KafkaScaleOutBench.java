package dev.warren.bench;

import dev.warren.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 18 §5: Warren vs Kafka Streams end to end on one real broker. The same input topic, the same
 * windows (hopping 5 s advancing by 1 s, count and sum per key), the same number of processes, each
 * member a JVM of its own ({@link KafkaScaleOutWorker}) with the same heap; every run has a fresh consumer
 * group (application id) and a fresh output topic, and its output is checked window by window against
 * what was produced.
 *
 * <p><b>Throughput</b> ({@code --mode throughput}). The broker (a KRaft node from the kafka module's
 * harness, {@link KafkaBroker}) gets an input topic filled once with N records over K keys ({@code kI} for
 * record I mod K, value I mod 100, event time advancing {@code --event-rate} records per second and
 * ending an hour ago), then one end marker per partition whose time is past every window and its grace
 * (Warren commits a record's offset only when its windows are out, and the marker moves its watermark
 * past the last ones). Then, in alternating order per round, each side with 1 and with 2 processes
 * consumes the topic from the start. Records/s = N / (end - start): start is the earliest {@code FIRST}
 * time the members print (their first record consumed), end the moment this program (polling every 50 ms)
 * sees the group's committed offsets at the last record of every partition (the marker itself need not be
 * committed). For both sides a committed offset means the windows of the records before it are on the
 * output topic (Warren: its windows are closed and the sink's sends acknowledged; Kafka Streams: a commit
 * flushes the cache downstream and the producer first). Then the output topic is read whole: per key and
 * window the emission with the largest count must have exactly the count and sum produced, and no window
 * may be missing or extra.
 *
 * <p><b>Recovery</b> ({@code --mode recovery}). Two processes per side read a fresh input topic that
 * this program writes live, at {@code --live-rate} records/s stamped with the present time, for {@code
 * --live-seconds}. Half way, with the group stable (both members hold partitions), it notes every
 * partition's committed offset C and log-end offset E and which partitions the victim holds, and kills the
 * victim with SIGKILL. From that instant it polls the committed offsets every 50 ms and reports:
 * <ul>
 *   <li><b>resumed</b>: until every partition the victim held has a committed offset above its C (the
 *       survivor has noticed the death, taken the partitions over, restored or rebuilt their state,
 *       processed and committed); the issue's "time to recover";
 *   <li><b>caught up (victim's)</b>: until every partition the victim held is committed to its E, i.e. all
 *       that had been written to them when the victim died is processed and committed;
 *   <li><b>caught up (survivor's)</b>: the same for the survivor's own partitions, measured from the same
 *       instant: what a side's commits trail by without a failure, to read the line above against.
 * </ul>
 * Then end markers, a wait for the commits, and the at-least-once check: no window's largest count may be
 * lower than produced (higher ones, replays counted twice, are reported).
 *
 * <p>A run whose output is wrong still prints its times, and the summary says in how many runs of a side
 * the output was wrong (those figures are not results); the program then exits with status 1.
 *
 * <p><b>Kafka Streams' setup</b>: {@code groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(5 s,
 * grace).advanceBy(1 s)).aggregate(count and sum)} in its default store (RocksDB, with its changelog topic,
 * the record cache at its default 10 MB), at-least-once, {@code num.stream.threads} = cores / processes,
 * output {@code toStream().map(JSON).to(OUT)}; {@code commit.interval.ms} {@code --ks-commit-ms} (1 s by
 * default: the 30 s default would put up to 30 s between the last record and its windows on the output,
 * more than a whole run at small sizes; Warren commits every 200 ms). Warren: {@code KafkaSource.keyValues}
 * into a {@code StreamJob} of cores / processes shards with {@code Aggregators.stats} (count, sum, min,
 * max: more than the peer computes) to {@code KafkaSink.json}, as {@code ./hiveparser --kafka} runs. Both:
 * the same grace ({@code --grace}, 15 s: Warren's survivor needs about the failure detection time of grace
 * to count the victim's replayed records, see {@code KafkaSource}, "Failover and grace"), the same
 * {@code session.timeout.ms} ({@code --session-timeout}, 3 s; Kafka's default of 45 s would make both
 * recoveries mostly the wait for it), the client's other defaults.
 *
 * <pre>
 * java -cp 'bench/target/warren-bench.jar:bench/target/lib/*' dev.warren.bench.KafkaScaleOutBench \
 *     [--records 10000000] [--rounds 3] [--procs 1,2] [--mode throughput,recovery] [--heap 2g] [--keys 1000]
 *     [--partitions 12] [--event-rate 100000] [--grace 15] [--session-timeout 3] [--ks-commit-ms 1000]
 *     [--live-rate 50000] [--live-seconds 60] [--sides warren,streams] (warren-cl: Warren with a changelog)
 * </pre>
 *
 * <p>Run from the repository root (the broker's class path is {@code kafka-broker/target/broker.classpath}).
 * Each member's output goes to a log file in a temporary directory, kept when a run fails.
 */
public final class KafkaScaleOutBench {
    private static final Pattern WINDOW = Pattern.compile(
            "\\{\"key\":\"([^\"]*)\",\"start\":(-?\\d+),\"end\":(-?\\d+),\"count\":(\\d+),\"sum\":([-+0-9.eE]+)");
    private static final String END_KEY = "~end";
    private static final long SIZE_MS = 5_000;
    private static final long POLL_MS = 50;
    private static final Duration STALL = Duration.ofSeconds(60);

    private final Options o;
    private final KafkaBroker broker;
    private final Path work;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private int runs;

    private KafkaScaleOutBench(Options o, KafkaBroker broker, Path work) {
        this.o = o;
        this.broker = broker;
        this.work = work;
    }

    record Options(
            long records,
            int rounds,
            List<Integer> procs,
            Set<String> modes,
            String heap,
            int keys,
            int partitions,
            long eventRate,
            long graceMs,
            long sessionMs,
            long ksCommitMs,
            long liveRate,
            int liveSeconds,
            List<String> sides) {

        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
                }
                m.put(args[i].substring(2), args[++i]);
            }
            Options o = new Options(
                    number(m, "records", 10_000_000L, 1),
                    (int) number(m, "rounds", 3, 1),
                    Arrays.stream(m.getOrDefault("procs", "1,2").split(","))
                            .map(String::strip)
                            .map(s -> (int) parse("procs", s, 1))
                            .toList(),
                    new TreeSet<>(Arrays.asList(
                            m.getOrDefault("mode", "throughput,recovery").split(","))),
                    m.getOrDefault("heap", "2g"),
                    (int) number(m, "keys", 1_000, 1),
                    (int) number(m, "partitions", 12, 1),
                    number(m, "event-rate", 100_000, 1),
                    number(m, "grace", 15, 0) * 1000,
                    number(m, "session-timeout", 3, 1) * 1000,
                    number(m, "ks-commit-ms", 1_000, 1),
                    number(m, "live-rate", 50_000, 1),
                    (int) number(m, "live-seconds", 60, 10),
                    List.of(m.getOrDefault("sides", "warren,streams").split(",")));
            Set<String> known = Set.of(
                    "records",
                    "rounds",
                    "procs",
                    "mode",
                    "heap",
                    "keys",
                    "partitions",
                    "event-rate",
                    "grace",
                    "session-timeout",
                    "ks-commit-ms",
                    "live-rate",
                    "live-seconds",
                    "sides");
            for (String k : m.keySet()) {
                if (!known.contains(k)) {
                    throw new IllegalArgumentException(
                            "unknown option --" + k + " (known: " + new TreeSet<>(known) + ")");
                }
            }
            for (String mode : o.modes) {
                if (!mode.equals("throughput") && !mode.equals("recovery")) {
                    throw new IllegalArgumentException("--mode takes throughput and/or recovery, was '" + mode + "'");
                }
            }
            for (String side : o.sides) {
                if (!side.equals("warren") && !side.equals("warren-cl") && !side.equals("streams")) {
                    throw new IllegalArgumentException(
                            "--sides takes warren, warren-cl (with a changelog) and/or streams, was '" + side + "'");
                }
            }
            return o;
        }

        private static long number(Map<String, String> m, String name, long dflt, long min) {
            String v = m.get(name);
            return v == null ? dflt : parse(name, v, min);
        }

        private static long parse(String name, String v, long min) {
            long n;
            try {
                n = Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a number, was '" + v + "'", e);
            }
            if (n < min) {
                throw new IllegalArgumentException("--" + name + " must be >= " + min + ", was " + n);
            }
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        // the harness asks the broker until it answers: the client's warnings meanwhile say nothing
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("KafkaScaleOutBench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("warren-kafka-e2e-");
        boolean ok = false;
        try (KafkaBroker broker = KafkaBroker.start(Files.createDirectories(work.resolve("broker")), true)) {
            System.out.printf(
                    Locale.ROOT,
                    "# %d cores, java %s, Kafka 4.4.0 broker %s (up in %d ms); %,d keys, %d partitions, hopping"
                            + " 5 s / 1 s count+sum, grace %d s, session timeout %d s, member heap %s,"
                            + " Kafka Streams commit.interval.ms %d%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.version(),
                    broker.bootstrap(),
                    broker.lastStartup().toMillis(),
                    o.keys,
                    o.partitions,
                    o.graceMs / 1000,
                    o.sessionMs / 1000,
                    o.heap,
                    o.ksCommitMs);
            KafkaScaleOutBench b = new KafkaScaleOutBench(o, broker, work);
            boolean allOk = true;
            if (o.modes.contains("throughput")) {
                allOk &= b.throughput();
            }
            if (o.modes.contains("recovery")) {
                allOk &= b.recovery();
            }
            ok = allOk;
        } finally {
            if (ok) {
                deleteTree(work);
            } else {
                System.out.println("# a run failed: the members' logs are in " + work);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    // ---------------------------------------------------------------- throughput

    private boolean throughput() throws Exception {
        String in = "e2e-in";
        broker.createTopic(in, o.partitions, Map.of());
        long base = System.currentTimeMillis() - o.records * 1000 / o.eventRate - 3_600_000L;
        base -= Math.floorMod(base, 1000);
        Expected exp = new Expected(o.keys, base, (int) (o.records * 1000 / o.eventRate / 1000) + 2);
        long t0 = System.nanoTime();
        try (KafkaProducer<String, String> p = fillProducer()) {
            AtomicReference<Exception> failed = new AtomicReference<>();
            String[] names = keyNames(o.keys);
            for (long i = 0; i < o.records; i++) {
                int k = (int) (i % o.keys);
                long ts = base + i * 1000 / o.eventRate;
                int v = (int) (i % 100);
                exp.add(k, ts, v);
                var unused = p.send(new ProducerRecord<>(in, null, ts, names[k], Integer.toString(v)), (md, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }
            long markerTs = base + o.records * 1000 / o.eventRate + SIZE_MS + o.graceMs + 2_000;
            endMarkers(p, in, markerTs);
            p.flush();
            if (failed.get() != null) {
                throw new IllegalStateException("filling the input topic failed", failed.get());
            }
        }
        Map<TopicPartition, Long> ends = endOffsets(in);
        System.out.printf(
                Locale.ROOT,
                "# input topic %s: %,d records + %d end markers written in %.1f s; event time over %,d s"
                        + " (%,d records per event second)%n",
                in,
                o.records,
                o.partitions,
                (System.nanoTime() - t0) / 1e9,
                o.records / o.eventRate,
                o.eventRate);
        Map<String, List<Timed<Double>>> rates = new LinkedHashMap<>();
        boolean ok = true;
        for (int round = 1; round <= o.rounds; round++) {
            for (int n : o.procs) {
                List<String> order = round % 2 == 1 ? o.sides : o.sides.reversed();
                for (String side : order) {
                    Timed<Double> rate = throughputRun(side, n, round, in, ends, exp);
                    if (rate == null || !rate.outputOk()) {
                        ok = false;
                    }
                    if (rate != null) {
                        rates.computeIfAbsent(n + "/" + side, x -> new ArrayList<>())
                                .add(rate);
                    }
                }
            }
        }
        System.out.println("== throughput, records/s end to end (median of " + o.rounds + " rounds) ==");
        for (int n : o.procs) {
            List<Timed<Double>> k = rates.getOrDefault(n + "/streams", List.of());
            double km = median(k.stream().map(Timed::value).toList());
            StringBuilder line =
                    new StringBuilder(String.format(Locale.ROOT, "%d process%s:", n, n == 1 ? "  " : "es"));
            for (String side : o.sides) {
                if (side.equals("streams")) {
                    continue;
                }
                List<Timed<Double>> w = rates.getOrDefault(n + "/" + side, List.of());
                double wm = median(w.stream().map(Timed::value).toList());
                line.append(String.format(
                        Locale.ROOT, " %s %,.0f%s (%s/kafka-streams %.2fx)", side, wm, checked(w), side, wm / km));
            }
            line.append(String.format(Locale.ROOT, "  kafka-streams %,.0f%s", km, checked(k)));
            System.out.println(line);
        }
        return ok;
    }

    /** A run's measure and whether its output checked out. */
    private record Timed<T>(T value, boolean outputOk) {}

    /** Empty when every run's output was right; else how many were wrong: those figures are not results. */
    private String checked(List<? extends Timed<?>> runs) {
        long wrong = runs.stream().filter(r -> !r.outputOk()).count();
        return wrong == 0 ? "" : " (output WRONG in " + wrong + " of " + runs.size() + " runs: not a result)";
    }

    /** One run: its records/s, or null if it could not be measured (said why). */
    private Timed<Double> throughputRun(
            String side, int n, int round, String in, Map<TopicPartition, Long> ends, Expected exp) throws Exception {
        String id = id(side, "t" + n, round);
        String out = id + "-out";
        broker.createTopic(out, o.partitions, Map.of());
        List<Member> members = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                members.add(Member.start(this, side, in, out, id, i, n));
            }
            long limit = System.nanoTime()
                    + Duration.ofSeconds(Math.max(180, o.records / 10_000)).toNanos();
            long endMs = awaitCommittedToLast(id, ends, members, limit, side.equals("warren-cl"));
            if (endMs < 0) {
                return null;
            }
            long firstMs = Long.MAX_VALUE;
            for (Member m : members) {
                firstMs = Math.min(firstMs, m.first());
            }
            if (firstMs == Long.MAX_VALUE) {
                System.out.println("FAILED: no member printed when it consumed its first record; logs in " + work);
                return null;
            }
            for (Member m : members) {
                m.stop();
            }
            double secs = (endMs - firstMs) / 1000.0;
            double rate = o.records / secs;
            Check c = check(out, exp, true);
            System.out.printf(
                    Locale.ROOT,
                    "round %d  %d process%s  %-7s  %,d records in %6.2f s = %,10.0f records/s   output: %s%n",
                    round,
                    n,
                    n == 1 ? "  " : "es",
                    side,
                    o.records,
                    secs,
                    rate,
                    c);
            return new Timed<>(rate, c.ok);
        } finally {
            for (Member m : members) {
                m.kill();
            }
        }
    }

    // ---------------------------------------------------------------- recovery

    private boolean recovery() throws Exception {
        Map<String, List<Timed<long[]>>> results = new LinkedHashMap<>();
        boolean ok = true;
        System.out.printf(
                Locale.ROOT,
                "# recovery: 2 processes per side, %,d records/s live for %d s, one SIGKILLed half way%n",
                o.liveRate,
                o.liveSeconds);
        for (int round = 1; round <= o.rounds; round++) {
            List<String> order = round % 2 == 1 ? o.sides : o.sides.reversed();
            for (String side : order) {
                Timed<long[]> r = recoveryRun(side, round);
                if (r == null || !r.outputOk()) {
                    ok = false;
                }
                if (r != null) {
                    results.computeIfAbsent(side, x -> new ArrayList<>()).add(r);
                }
            }
        }
        System.out.println(
                "== recovery after SIGKILL of one of 2 processes, ms (median of " + o.rounds + " rounds) ==");
        for (String side : o.sides) {
            List<Timed<long[]>> rs = results.getOrDefault(side, List.of());
            System.out.printf(
                    Locale.ROOT,
                    "%-13s resumed %,6.0f   caught up: victim's partitions %,6.0f, survivor's own %,6.0f%s%n",
                    side.equals("streams") ? "kafka-streams" : side,
                    median(rs.stream().map(a -> (double) a.value()[0]).toList()),
                    median(rs.stream().map(a -> (double) a.value()[1]).toList()),
                    median(rs.stream().map(a -> (double) a.value()[2]).toList()),
                    checked(rs));
        }
        return ok;
    }

    /** One run: {resumed, victim's caught up, survivor's caught up} in ms, or null if it could not be measured. */
    private Timed<long[]> recoveryRun(String side, int round) throws Exception {
        String id = id(side, "r", round);
        String in = id + "-in";
        String out = id + "-out";
        broker.createTopic(in, o.partitions, Map.of());
        broker.createTopic(out, o.partitions, Map.of());
        long base = System.currentTimeMillis() - 10_000;
        base -= Math.floorMod(base, 1000);
        Expected exp = new Expected(o.keys, base, o.liveSeconds + 60);
        List<Member> members = new ArrayList<>();
        try (Admin admin = broker.admin()) {
            for (int i = 1; i <= 2; i++) {
                members.add(Member.start(this, side, in, out, id, i, 2));
            }
            LiveProducer live = new LiveProducer(in, exp);
            Thread producer = Thread.ofPlatform().name("kafka-e2e-live").start(live);
            long killAt = live.startNanos + TimeUnit.SECONDS.toNanos(o.liveSeconds) / 2;
            TimeUnit.NANOSECONDS.sleep(
                    Math.max(0, killAt - System.nanoTime())); // pacing the run, not a wait for an outcome
            Member victim = members.get(1);
            Set<TopicPartition> held = awaitStableAndHeldBy(admin, id, victim.clientId, members);
            if (held == null) {
                live.stop();
                producer.join();
                return null;
            }
            Map<TopicPartition, Long> committed = committed(admin, id);
            Map<TopicPartition, Long> logEnds = endOffsets(admin, in);
            victim.kill();
            long killed = System.nanoTime();
            Map<TopicPartition, Long> resumedAt = new HashMap<>();
            Map<TopicPartition, Long> caughtUpAt = new HashMap<>();
            long limit = killed + TimeUnit.SECONDS.toNanos(Math.max(120, o.liveSeconds * 2L));
            while (caughtUpAt.size() < o.partitions || resumedAt.size() < held.size()) {
                if (System.nanoTime() > limit) {
                    System.out.printf(
                            "round %d  %-7s  FAILED: %d of the victim's %d partitions resumed, %d of %d caught up"
                                    + " within %d s of the kill%n",
                            round,
                            side,
                            resumedAt.size(),
                            held.size(),
                            caughtUpAt.size(),
                            o.partitions,
                            TimeUnit.NANOSECONDS.toSeconds(limit - killed));
                    live.stop();
                    producer.join();
                    return null;
                }
                if (!members.get(0).alive()) {
                    System.out.printf(
                            "round %d  %-7s  FAILED: the survivor exited; its log: %s%n",
                            round, side, members.get(0).log);
                    live.stop();
                    producer.join();
                    return null;
                }
                Map<TopicPartition, Long> now = committed(admin, id);
                long t = System.nanoTime();
                for (TopicPartition tp : logEnds.keySet()) {
                    long c = now.getOrDefault(tp, -1L);
                    if (held.contains(tp) && c > committed.getOrDefault(tp, -1L)) {
                        resumedAt.putIfAbsent(tp, t);
                    }
                    if (c >= logEnds.get(tp)) {
                        caughtUpAt.putIfAbsent(tp, t);
                    }
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS); // polling the broker: nothing to wait on instead
            }
            long resumed = 0;
            long victimCaught = 0;
            long survivorCaught = 0;
            for (TopicPartition tp : logEnds.keySet()) {
                long c = TimeUnit.NANOSECONDS.toMillis(caughtUpAt.get(tp) - killed);
                if (held.contains(tp)) {
                    resumed = Math.max(resumed, TimeUnit.NANOSECONDS.toMillis(resumedAt.get(tp) - killed));
                    victimCaught = Math.max(victimCaught, c);
                } else {
                    survivorCaught = Math.max(survivorCaught, c);
                }
            }
            producer.join();
            if (live.failure.get() != null) {
                throw new IllegalStateException("the live producer failed", live.failure.get());
            }
            Map<TopicPartition, Long> ends = endOffsets(admin, in);
            long endMs = awaitCommittedToLast(
                    id,
                    ends,
                    members.subList(0, 1),
                    System.nanoTime() + TimeUnit.MINUTES.toNanos(3),
                    side.equals("warren-cl"));
            if (endMs < 0) {
                return null;
            }
            members.get(0).stop();
            Check c = check(out, exp, false);
            System.out.printf(
                    Locale.ROOT,
                    "round %d  %-7s  victim held %s: resumed after %,d ms, caught up after %,d ms (survivor's"
                            + " own partitions: %,d ms); %,d records; output: %s%n",
                    round,
                    side,
                    partitionList(held),
                    resumed,
                    victimCaught,
                    survivorCaught,
                    live.sent,
                    c);
            return new Timed<>(new long[] {resumed, victimCaught, survivorCaught}, c.ok);
        } finally {
            for (Member m : members) {
                m.kill();
            }
        }
    }

    /** Writes {@code --live-rate} records/s stamped now for {@code --live-seconds}, then the end markers. */
    private final class LiveProducer implements Runnable {
        final String topic;
        final Expected exp;
        final long startNanos = System.nanoTime();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        volatile boolean stopped;
        volatile long sent;

        LiveProducer(String topic, Expected exp) {
            this.topic = topic;
            this.exp = exp;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            String[] names = keyNames(o.keys);
            long end = startNanos + TimeUnit.SECONDS.toNanos(o.liveSeconds);
            long i = 0;
            long last = 0;
            try (KafkaProducer<String, String> p = fillProducer()) {
                while (!stopped && System.nanoTime() < end) {
                    long due = (System.nanoTime() - startNanos) * o.liveRate / 1_000_000_000L + 1;
                    long now = System.currentTimeMillis();
                    for (; i < due; i++) {
                        int k = (int) (i % o.keys);
                        int v = (int) (i % 100);
                        exp.add(k, now, v);
                        var unused = p.send(
                                new ProducerRecord<>(topic, null, now, names[k], Integer.toString(v)), (md, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    }
                                });
                    }
                    sent = i;
                    last = now;
                    TimeUnit.MILLISECONDS.sleep(1); // pacing the producer
                }
                endMarkers(p, topic, last + SIZE_MS + o.graceMs + 2_000);
                p.flush();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /**
     * Waits until both members hold partitions (the group is stable); returns the victim's partitions, or
     * null after 60 s.
     */
    private Set<TopicPartition> awaitStableAndHeldBy(Admin admin, String group, String victim, List<Member> members)
            throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < limit) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(10, TimeUnit.SECONDS);
            Set<TopicPartition> v = new HashSet<>();
            Set<TopicPartition> all = new HashSet<>();
            Set<String> holders = new HashSet<>();
            for (MemberDescription m : d.members()) {
                Set<TopicPartition> tps = m.assignment().topicPartitions();
                all.addAll(tps);
                String owner = members.stream()
                        .map(x -> x.clientId)
                        .filter(c -> m.clientId().equals(c) || m.clientId().startsWith(c + "-"))
                        .findFirst()
                        .orElse(m.clientId());
                if (!tps.isEmpty()) {
                    holders.add(owner);
                }
                if (owner.equals(victim)) {
                    v.addAll(tps);
                }
            }
            if (holders.size() == 2 && all.size() == o.partitions && d.groupState() == GroupState.STABLE) {
                return v;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS); // polling the broker: nothing to wait on instead
        }
        System.out.println("FAILED: the group " + group + " did not settle with both members holding partitions");
        return null;
    }

    // ---------------------------------------------------------------- members

    /** A member JVM. */
    private static final class Member {
        final Process process;
        final String clientId;
        final Path log;
        final Path stateDir;

        private Member(Process process, String clientId, Path log, Path stateDir) {
            this.process = process;
            this.clientId = clientId;
            this.log = log;
            this.stateDir = stateDir;
        }

        static Member start(KafkaScaleOutBench b, String side, String in, String out, String group, int i, int n)
                throws IOException {
            String clientId = group + "-" + i;
            Path log = b.work.resolve(clientId + ".log");
            Path state = b.work.resolve(clientId + ".state");
            int threads = Math.max(1, b.cores / n);
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms" + b.o.heap,
                    "-Xmx" + b.o.heap));
            String poller = System.getProperty("jdk.pollerMode");
            if (poller != null) {
                cmd.add("-Djdk.pollerMode=" + poller);
            }
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    KafkaScaleOutWorker.class.getName(),
                    side,
                    b.broker.bootstrap(),
                    in,
                    out,
                    group,
                    clientId,
                    Integer.toString(threads),
                    Long.toString(b.o.graceMs),
                    Long.toString(b.o.sessionMs),
                    Long.toString(b.o.ksCommitMs),
                    state.toString()));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            return new Member(p, clientId, log, state);
        }

        boolean alive() {
            return process.isAlive();
        }

        /** The time of its first record (epoch ms) from its log; {@code Long.MAX_VALUE} if it had none. */
        long first() throws IOException {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("FIRST ")) {
                    return Long.parseLong(line.substring(6).strip());
                }
            }
            return Long.MAX_VALUE;
        }

        /** SIGTERM, and SIGKILL if it has not exited after 20 s; its state directory deleted. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
            deleteTree(stateDir);
        }

        /** SIGKILL, waiting for the exit. */
        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- offsets and output

    /**
     * Polls the group's committed offsets every 50 ms until every partition is committed up to its last
     * record (its end marker), or past it with {@code markerToo}; the wall-clock time (ms) when that was
     * seen, or -1 (said why) after {@code limitNanos} or if a member exited. Warren without a changelog
     * commits an offset once the windows of the records before it are out, so a commit up to the marker
     * means every data window was emitted (the marker's own windows never close). With a changelog it
     * commits as soon as records are read: only a commit past the marker says that the marker moved its
     * partition's time past the last windows and they were emitted (the checkpoint before that commit
     * flushed them).
     */
    private long awaitCommittedToLast(
            String group, Map<TopicPartition, Long> ends, List<Member> members, long limitNanos, boolean markerToo)
            throws Exception {
        long past = markerToo ? 0 : 1;
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, Long> previous = Map.of();
            long movedNanos = System.nanoTime();
            while (true) {
                Map<TopicPartition, Long> c = committed(admin, group);
                if (!c.equals(previous)) {
                    previous = c;
                    movedNanos = System.nanoTime();
                }
                boolean all = true;
                for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                    if (c.getOrDefault(e.getKey(), -1L) < e.getValue() - past) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    return System.currentTimeMillis();
                }
                for (Member m : members) {
                    if (!m.alive()) {
                        System.out.println("FAILED: member " + m.clientId + " exited with status "
                                + m.process.exitValue() + "; its log: " + m.log);
                        return -1;
                    }
                }
                // Both sides commit at least every second while they have records to commit: commits that
                // stand still this long will not move again, and a run of 10 M records need not wait its whole limit.
                boolean stalled = System.nanoTime() - movedNanos > STALL.toNanos();
                if (stalled || System.nanoTime() > limitNanos) {
                    long behind = 0;
                    List<String> parts = new ArrayList<>();
                    List<Map.Entry<TopicPartition, Long>> sorted = new ArrayList<>(ends.entrySet());
                    sorted.sort(Comparator.comparingInt(x -> x.getKey().partition()));
                    for (Map.Entry<TopicPartition, Long> e : sorted) {
                        long committedAt = c.getOrDefault(e.getKey(), -1L);
                        behind += e.getValue() - 1 - Math.max(0, committedAt);
                        if (committedAt < e.getValue() - 1) {
                            parts.add(e.getKey().partition() + ": " + committedAt + " of " + (e.getValue() - 1));
                        }
                    }
                    System.out.println("FAILED: group " + group + " is still " + behind
                            + " records from committing the input whole"
                            + (stalled ? " and its commits have not moved for " + STALL.toSeconds() + " s" : "")
                            + " (partition: committed of last " + parts + "); logs in " + work);
                    return -1;
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS); // polling the broker: nothing to wait on instead
            }
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> m = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .entrySet()) {
            if (e.getValue() != null) {
                m.put(e.getKey(), e.getValue().offset());
            }
        }
        return m;
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            return endOffsets(admin, topic);
        }
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int p = 0; p < o.partitions; p++) {
            q.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> m = new HashMap<>();
        admin.listOffsets(q).all().get().forEach((tp, r) -> m.put(tp, r.offset()));
        return m;
    }

    /** What was produced: per key and event second, the number of records and the sum of their values. */
    private static final class Expected {
        final int keys;
        final long base;
        final int seconds;
        final long[] count;
        final long[] sum;

        Expected(int keys, long base, int seconds) {
            this.keys = keys;
            this.base = base;
            this.seconds = seconds;
            this.count = new long[keys * seconds];
            this.sum = new long[keys * seconds];
        }

        void add(int key, long ts, int value) {
            int s = (int) ((ts - base) / 1000);
            if (s < 0 || s >= seconds) {
                throw new IllegalStateException("event second " + s + " outside 0.." + (seconds - 1));
            }
            count[key * seconds + s]++;
            sum[key * seconds + s] += value;
        }

        /** Window index w covers the seconds w-4 .. w (it starts at base + (w-4) s). */
        long windowCount(int key, int w) {
            long c = 0;
            for (int s = Math.max(0, w - 4); s <= Math.min(seconds - 1, w); s++) {
                c += count[key * seconds + s];
            }
            return c;
        }

        long windowSum(int key, int w) {
            long c = 0;
            for (int s = Math.max(0, w - 4); s <= Math.min(seconds - 1, w); s++) {
                c += sum[key * seconds + s];
            }
            return c;
        }

        int windows() {
            return seconds + 4;
        }
    }

    /** The outcome of reading an output topic whole. */
    private record Check(boolean ok, String summary) {
        @Override
        public String toString() {
            return summary;
        }
    }

    /**
     * Reads {@code topic} from the start to its end; per key and window, the emission with the largest
     * count must equal what was produced ({@code exact}), or be no lower (at-least-once after a crash).
     */
    private Check check(String topic, Expected exp, boolean exact) throws Exception {
        int windows = exp.windows();
        long[] maxCount = new long[exp.keys * windows];
        double[] sumAtMax = new double[exp.keys * windows];
        long emissions = 0;
        List<String> bad = new ArrayList<>();
        Map<TopicPartition, Long> ends = endOffsets(topic);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.assign(ends.keySet());
            c.seekToBeginning(ends.keySet());
            long limit = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!reachedEnd(c, ends)) {
                if (System.nanoTime() > limit) {
                    return new Check(false, "FAILED: could not read the output topic " + topic + " to its end");
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    emissions++;
                    Matcher m = WINDOW.matcher(r.value());
                    if (!m.find() || !m.group(1).equals(r.key())) {
                        if (bad.size() < 5) {
                            bad.add("not a window of key " + r.key() + ": " + r.value());
                        }
                        continue;
                    }
                    if (m.group(1).equals(END_KEY)) {
                        continue;
                    }
                    int key = Integer.parseInt(m.group(1).substring(1));
                    long start = Long.parseLong(m.group(2));
                    int w = (int) ((start - exp.base) / 1000) + 4;
                    if (key < 0 || key >= exp.keys || w < 0 || w >= windows || (start - exp.base) % 1000 != 0) {
                        if (bad.size() < 5) {
                            bad.add("a window that cannot be: " + r.value());
                        }
                        continue;
                    }
                    long count = Long.parseLong(m.group(4));
                    int at = key * windows + w;
                    if (count > maxCount[at]) {
                        maxCount[at] = count;
                        sumAtMax[at] = Double.parseDouble(m.group(5));
                    }
                }
            }
        }
        long expectedWindows = 0;
        long exactWindows = 0;
        long higher = 0;
        long expectedCounts = 0;
        long seenCounts = 0;
        for (int k = 0; k < exp.keys; k++) {
            for (int w = 0; w < windows; w++) {
                long want = exp.windowCount(k, w);
                long got = maxCount[k * windows + w];
                expectedCounts += want;
                seenCounts += got;
                if (want > 0) {
                    expectedWindows++;
                }
                long wantSum = exp.windowSum(k, w);
                if (got == want && (want == 0 || sumAtMax[k * windows + w] == wantSum)) {
                    if (want > 0) {
                        exactWindows++;
                    }
                } else if (got > want && !exact) {
                    higher++;
                } else if (bad.size() < 5) {
                    bad.add(String.format(
                            Locale.ROOT,
                            "key k%d window at %d: count %d sum %s, produced %d and %d",
                            k,
                            exp.base + (w - 4) * 1000L,
                            got,
                            sumAtMax[k * windows + w],
                            want,
                            wantSum));
                }
            }
        }
        boolean ok = bad.isEmpty();
        String s = String.format(
                Locale.ROOT,
                "%s: %,d of %,d windows exact%s, counts %,d of %,d (%,d emissions)%s",
                ok ? "OK" : "WRONG",
                exactWindows,
                expectedWindows,
                exact ? "" : ", " + higher + " higher (replayed twice)",
                seenCounts,
                expectedCounts,
                emissions,
                ok ? "" : "; " + String.join("; ", bad));
        return new Check(ok, s);
    }

    private static boolean reachedEnd(KafkaConsumer<String, String> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- helpers

    private String id(String side, String what, int round) {
        return "e2e-" + side + "-" + what + "-r" + round + "-" + (++runs);
    }

    private KafkaProducer<String, String> fillProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** One record per partition at {@code ts}, past every data window and its grace. */
    private void endMarkers(KafkaProducer<String, String> p, String topic, long ts) throws Exception {
        for (int i = 0; i < o.partitions; i++) {
            p.send(new ProducerRecord<>(topic, i, ts, END_KEY, "1")).get(30, TimeUnit.SECONDS);
        }
    }

    private static String[] keyNames(int keys) {
        String[] names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "k" + i;
        }
        return names;
    }

    private static String partitionList(Set<TopicPartition> tps) {
        return tps.stream()
                .map(TopicPartition::partition)
                .sorted()
                .map(String::valueOf)
                .toList()
                .toString();
    }

    private static double median(List<Double> xs) {
        if (xs == null || xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(Comparator.naturalOrder());
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            System.out.println("# could not delete " + dir + ": " + e);
        }
    }
}
