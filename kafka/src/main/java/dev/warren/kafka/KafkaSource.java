package dev.warren.kafka;

import dev.warren.streaming.Backpressure;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.LaneEmitter;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer-group member that feeds a {@link StreamJob}: each partition this process is assigned
 * is read, its records parsed ({@link RecordParser}) and emitted into the job, whose key function routes
 * them to its shards as for any source. Several processes with the same group share a topic's partitions
 * (Kafka's cooperative-sticky assignment), so a key, which Kafka puts in one partition, is counted by
 * one process at a time. Delivery is at-least-once by default, exactly-once with Kafka transactions as
 * an option.
 *
 * <pre>{@code
 * KafkaSource<KeyValue> in = KafkaSource.keyValues("127.0.0.1:9092", "readings", "temps").build();
 * StreamJob<KeyValue> job = in.start(StreamJob.<KeyValue>builder("temps")
 *         .keyBy(KeyValue::key)
 *         .window(Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(1)), Aggregators.stats(KeyValue::value))
 *         .sink(KafkaSink.json("127.0.0.1:9092", "readings-windows")));
 * ...
 * in.close();   // stops reading, commits closed windows, drops the open ones (replayed by the next owner), leaves
 * }</pre>
 *
 * <p><b>Time.</b> The job runs on event time: an event's time is the parser's timestamp (the record's
 * timestamp for {@link #keyValues}), and every partition keeps a time of its own, as Kafka Streams keeps
 * one per task: its records go into the job as a {@linkplain LaneEmitter lane} (partition + 1) whose
 * watermark is the largest time the partition delivered minus {@link Builder#maxOutOfOrderness}, and a
 * key's windows close on its partition's watermark only. So a partition behind the others (replayed from
 * its last commit after a rebalance, or slower to fill) finds its windows open, and one that goes quiet
 * holds back its own windows, no one else's. When every partition is caught up and has had no record for
 * the {@linkplain Builder#idleTimeout idle timeout}, every partition's watermark moves to the latest of
 * them, so the last windows of a quiet topic close. The overall watermark in {@link #stats()} is the
 * earliest of the partitions' (an empty idle partition left out).
 *
 * <p><b>Delivery: at-least-once.</b> Offsets are committed (every {@link Builder#commitInterval}, on
 * revocation, at close) only for records whose windows have all closed, been handed to the sinks and
 * flushed (the partition's lane's {@link StreamJob#closedThrough(int)}; a {@link KafkaSink} flush waits for the broker's
 * acknowledgement), and after the dead-letter producer was flushed. A crash therefore replays every
 * record whose windows were not out, never skips one. Each commit carries, as its metadata ({@code
 * "warren-through:T"}), the partition's close limit {@code T} it was made at: every window of the
 * partition's keys ending at or before it was out. A process given a partition leaves out the windows of its keys that end at or before that {@code
 * T} (through the job's {@link StreamJob.Builder#emitIf emitIf}): a record it replays from the
 * committed offset may also be in such a window (sliding windows, out-of-order records), which it would
 * otherwise emit partial. What can come twice: a window emitted before a crash or a rebalance but after
 * the last commit is emitted again, complete, by the process that replays its records. A reader takes,
 * per key and window, the emission with the largest count (or all of them are equal). Without a
 * changelog, windows must be tumbling or sliding: a session's end moves with its key's events, so no
 * offset could be committed while it is open; with one (see "Changelog") sessions work too.
 *
 * <p><b>Delivery: exactly-once</b> ({@link Builder#exactlyOnce()}). The window results go to their
 * topics through {@link KafkaSink#exactlyOnce} sinks, which hand them to this source instead of sending
 * them. Every commit interval (and on revocation, and at close) the poll thread runs one Kafka
 * transaction on its own transactional producer (one per process, a unique {@code transactional.id}):
 * with, per partition, {@code T = job.closedThrough(lane)} of its lane, it writes every result of a
 * window of the partition's keys ending at or before {@code T}, the dead letters of the bad records before the offsets it commits, and, for every partition
 * it holds, the offset {@code c = committable(T)} with the metadata {@code "warren-through:T"} (never
 * below the one the partition came with), sent with {@code sendOffsetsToTransaction} and the
 * consumer's group metadata, so that a member fenced out of the group cannot commit; then it commits. Why each window comes out once: a record before {@code c}
 * has all its windows ending at or before {@code T}, so a window ending later gets all its records from
 * a replay starting at {@code c}, and results ending later were not written; a window ending at or
 * before {@code T} was written in that transaction or an earlier one. A process given a partition reads
 * that metadata and does not write results of windows ending at or before it for the partition's keys
 * (counted in {@link KafkaSourceStats#suppressed()}). Results the shards give after {@code T} was read
 * wait for the next transaction, and are dropped with their keys at a hand-over. The consumer reads
 * with {@code isolation.level=read_committed}; so must the readers of the output. An abortable failure
 * (a rebalance under way, the broker away) aborts the transaction and tries the same results and
 * offsets again at the next interval (the job's state is untouched, so nothing needs replaying); a fatal
 * one (the producer fenced, not authorized) ends the source with {@link #failure()} saying why, and
 * the records since the last committed transaction are replayed by the partitions' next owner. A
 * process that dies with a transaction open holds back read-committed readers, and the next owner of
 * its partitions (which waits for their offsets to be stable), until the broker aborts it: {@code
 * transaction.timeout.ms}, 10 s here ({@link Builder#producerProperty}). Late records go to the
 * dead-letter topic in the next transaction; one that a replay finds late again is written again.
 * Exactly-once needs a key's records in one partition (see "Hand-over").
 *
 * <p><b>Hand-over: no partial windows.</b> A partition given up (revoked in a rebalance, lost, or left at
 * {@link #close()}) is read again from its committed offset by its next owner, which computes its
 * keys' open windows whole. So this process first commits what its closed windows cover, then drops
 * those keys' open windows and state without emitting them ({@link StreamJob#discard}). To know the keys
 * of a partition, the source calls the job's key function on each event as it routes it and remembers
 * the key's partition while the key has a window open (one hash-map look-up per record on the poll
 * thread; an entry goes once its windows have closed). This works whatever the producers' partitioner
 * and whatever the key function, as long as a key's records all come from one partition, which is what
 * Kafka's keyed partitioning gives; a key seen in several partitions is logged once and never dropped
 * (its state holds records of partitions this process keeps). The same holds at {@link #close()}: a
 * graceful leave hands over, it does not emit partial windows; a topic's last windows come out when
 * the watermark passes them (see "Time").
 *
 * <p><b>Changelog</b> ({@link Builder#changelog}). Without one, an offset waits for every window of the
 * records before it to close, so a partition's next owner replays a window's length and grace of
 * records. With one (a compacted topic with a partition per input partition, as Kafka Streams keeps per
 * store), every commit interval the poll thread tells every shard each partition's time, takes a
 * {@linkplain StreamJob#checkpoint checkpoint} (each shard flushes its sinks and writes the open windows
 * of every key that changed since the last one, keyed by the key and in the key's partition; a tombstone
 * for a key whose windows all closed), and commits, in one Kafka transaction, those changelog records
 * and for every partition the offset after the last record handed to the job, with the partition's close
 * limit {@code T} as metadata. So the state in the changelog always goes with the committed offsets,
 * never ahead of them (the commit is transactional in both delivery modes for that reason; the window
 * results are in that transaction only exactly-once). A process given a partition reads its changelog
 * partition from the start before the first record of the partition ({@code read_committed}), gives
 * every key's last state to the job ({@link StreamJob#restore}), and reads the input from the committed
 * offset: what it replays is what came after the checkpoint. Windows through {@code T} are left out as
 * above. Needs an aggregator with an {@link dev.warren.streaming.window.AccumulatorCodec} (the built-in
 * ones); a job with per-key state ({@code stateInit}) gives its codec with the job's {@link
 * StreamJob.Builder#changelog(Function, Function)}, and the state goes with the windows. The job's keys are
 * written as text ({@link Builder#changelog(String,
 * Function)} reads other key types back). Restore time and counts are in {@link #stats()}. A
 * checkpoint writes every changed key each commit interval: with very many keys, a longer {@link
 * Builder#commitInterval} writes less. A sink whose flush fails at a checkpoint ends the source
 * ({@link #failure()}): the state written would lack the windows it did not deliver, so the partitions'
 * next owner replays from the last commit instead.
 *
 * <p><b>Taking partitions over while running.</b> A process that already runs and is given partitions
 * (the other member left or died) reads their records from the last commit, however far its own
 * partitions' time has moved meanwhile (records flowed during the rebalance, and after a crash during the
 * failure detection, {@code session.timeout.ms}): each partition given to it starts its lane at the
 * beginning of time ({@link LaneEmitter#reset}), so the records it replays are not late, and a
 * partition that comes back after it was given away does not find the time it had before.
 *
 * <p><b>Bad records.</b> A record the parser refuses, and one stamped more than {@link
 * StreamJob#DEFAULT_MAX_AHEAD} ahead of the clock, is counted ({@link KafkaSourceStats#badRecords()}),
 * logged at debug, and copied to the dead-letter topic if one is configured (with headers
 * {@code warren.error}, {@code warren.source}), never stopping the source. With a dead-letter topic,
 * late events go there too (this takes the job's {@code onLate} side output).
 *
 * <p><b>Threading and blocking.</b> The consumer is used by one platform thread that this source starts
 * and owns ("kafka-source TOPIC"): the client's calls block and may pin, which is why they do not run on
 * a virtual thread. It emits into the job with {@link Backpressure#BLOCK}, so full shard inboxes slow the
 * polling. The rebalance listener runs on that thread, inside {@code poll}. {@link #stats()},
 * {@link #assignment()} and {@link #failure()} may be called from any thread and do not block. The
 * transactional producer of exactly-once is made and used by the poll thread only; the exactly-once
 * sinks only append to a queue it drains.
 *
 * <p><b>Ownership and closing.</b> {@link #start} starts the job and the thread; the source owns both.
 * {@link #close()} (any thread but the job's own tasklets; idempotent) stops the polling, commits what
 * the closed windows cover, drops the open ones (see "Hand-over"), closes the job (which closes its
 * sinks) and closes the consumer, which leaves the group so that its partitions move at once. If the
 * consumer fails (a fatal client error), the thread does the same without the commit and {@link
 * #failure()} says why.
 *
 * @param <E> the event type
 */
public final class KafkaSource<E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long PUBLISH_NANOS = 20_000_000L;
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /** How the metadata of an exactly-once commit starts: "warren-through:T". */
    static final String THROUGH = "warren-through:";

    private final String bootstrap;
    private final String topic;
    private final String group;
    private final RecordParser<E> parser;
    private final ToLongFunction<? super E> timestamp;
    private final String deadLetterTopic;
    private final long outOfOrder;
    private final long commitIntervalNanos;
    private final long idleNanos;
    private final Map<String, String> consumerConfig;
    private final boolean exactlyOnce;
    private final Map<String, String> producerConfig;
    /** The changelog topic of the job's open windows, or null: none (see "Changelog"). */
    private final String changelogTopic;
    /** Reads a key's text in the changelog back into the job's key. */
    private final Function<String, ?> changelogKey;
    /**
     * Offsets are committed in transactions of {@link #tx}: exactly-once, or with a changelog (whose
     * states must become visible with the offsets they go with, never before: see "Changelog").
     */
    private final boolean transactional;
    /** With a changelog: records a checkpoint wrote, for the poll thread's next transaction. */
    private final ConcurrentLinkedQueue<ProducerRecord<String, String>> changelogOut = new ConcurrentLinkedQueue<>();
    /** Changelog records taken from {@link #changelogOut}, until a transaction commits them. */
    private final List<ProducerRecord<String, String>> changelogHeld = new ArrayList<>();

    private final LongAdder restoredKeys = new LongAdder();
    private final LongAdder changelogRecords = new LongAdder();
    private volatile long lastRestoreMillis = -1;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaConsumer<String, String> consumer;
    private volatile Thread thread;
    private volatile StreamJob<E> job;
    /** The job's entry: one lane per partition (partition + 1), each with the partition's watermark. */
    private LaneEmitter<E> emitter;

    private KafkaProducer<String, String> deadLetters;
    private WindowSpec windows;
    private Function<? super E, ?> keyFn;

    /** Per assigned partition; touched only by the poll thread. */
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();

    /**
     * The partition of every key with a window that may be open, as its records were routed, so that the
     * keys of a partition given up can be dropped from the job; poll thread only. An entry goes once
     * every window of its key has closed (see {@link #prune}).
     */
    private final Map<Object, KeyInfo> keys = new HashMap<>();

    /**
     * Set (poll thread) once the job dropped every key at the end: no commit may follow, not even the
     * one the consumer's close asks for in {@code onPartitionsRevoked}.
     */
    private boolean handedOver;

    private int keysAfterPrune;
    private long lastPruneNanos = System.nanoTime();

    private volatile long watermark = Long.MIN_VALUE;
    private volatile Set<TopicPartition> assignment = Set.of();
    /** The partition numbers of {@link #assignment}: a checkpoint writes no changelog record for others. */
    private volatile Set<Integer> owned = Set.of();

    private volatile Throwable failure;
    private final LongAdder records = new LongAdder();
    private final LongAdder bad = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder failedCommits = new LongAdder();
    private final LongAdder rebalances = new LongAdder();
    private final LongAdder suppressed = new LongAdder();

    /** Exactly-once: the transactional producer, made and used by the poll thread only. */
    private KafkaProducer<String, String> tx;

    private volatile String transactionalId;

    /**
     * Exactly-once: what the shards' {@link KafkaSink#exactlyOnce} sinks and the late side output hand
     * over, for the poll thread to write in its next transaction.
     */
    private final ConcurrentLinkedQueue<Out> outbox = new ConcurrentLinkedQueue<>();

    /** Exactly-once: window results taken from the outbox, by window end, until a transaction commits them. */
    private final TreeMap<Long, List<Out>> held = new TreeMap<>();

    /**
     * Per partition assigned: every window of its keys ending at or before this went out before the
     * offset committed last (its metadata; exactly-once: in a committed transaction), so it is not
     * written again.
     */
    private final Map<Integer, Long> sentThrough = new HashMap<>();

    /**
     * At-least-once: keys of partitions taken over, with the previous owner's {@link #sentThrough}: the
     * job's {@code emitIf} (on the shards) leaves out their windows ending at or before it. Written by the
     * poll thread before it routes the key's first record; an entry goes once the job has closed past it.
     */
    private final java.util.concurrent.ConcurrentHashMap<Object, Long> floors =
            new java.util.concurrent.ConcurrentHashMap<>();

    private KafkaSource(Builder<E> b) {
        this.bootstrap = b.bootstrap;
        this.topic = b.topic;
        this.group = b.group;
        this.parser = b.parser;
        this.timestamp = b.timestamp;
        this.deadLetterTopic = b.deadLetterTopic;
        this.outOfOrder = b.outOfOrder.toMillis();
        this.commitIntervalNanos = b.commitInterval.toNanos();
        this.idleNanos = b.idleTimeout.toNanos();
        this.consumerConfig = Map.copyOf(b.consumerConfig);
        this.exactlyOnce = b.exactlyOnce;
        this.producerConfig = Map.copyOf(b.producerConfig);
        this.changelogTopic = b.changelogTopic;
        this.changelogKey = b.changelogKey;
        this.transactional = exactlyOnce || changelogTopic != null;
    }

    /**
     * A source of events of any type: {@code parser} makes them from records, {@code timestamp} gives an
     * event's time (milliseconds; usually the record's).
     */
    public static <E> Builder<E> builder(
            String bootstrap, String topic, String group, RecordParser<E> parser, ToLongFunction<? super E> timestamp) {
        return new Builder<>(bootstrap, topic, group, parser, timestamp);
    }

    /**
     * A source of {@link KeyValue}s: the record's key is the key (a record without one is bad), its value
     * a number (no value or an empty one counts 1, as a {@code KEY} line does), its timestamp the time.
     */
    public static Builder<KeyValue> keyValues(String bootstrap, String topic, String group) {
        return builder(bootstrap, topic, group, KafkaSource::keyValue, KeyValue::timestamp);
    }

    /** The {@link #keyValues} parser. */
    static KeyValue keyValue(String key, String value, long ts) {
        if (key == null) {
            throw new IllegalArgumentException("record has no key");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("record has an empty key");
        }
        if (value == null || value.isBlank()) {
            return new KeyValue(key, 1, ts);
        }
        double v;
        try {
            v = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value is not a number: '" + clip(value) + "'");
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("value is not finite: '" + clip(value) + "'");
        }
        return new KeyValue(key, v, ts);
    }

    /**
     * Configures {@code job} for this source (event time with this source's watermark; with a dead-letter
     * topic, the late side output), starts it, joins the consumer group and starts polling. Returns the
     * running job, which this source owns: close the source, not the job.
     *
     * @throws IllegalStateException if this source was started before, or the job has no tumbling or
     *     sliding windows
     * @throws IllegalArgumentException if a topic does not exist
     */
    public <K, S, R> StreamJob<E> start(StreamJob.Builder<E, K, S, R> job) {
        Objects.requireNonNull(job, "job");
        WindowSpec spec = job.windowSpec();
        if (spec == null || (spec instanceof WindowSpec.Session && changelogTopic == null)) {
            throw new IllegalStateException("a KafkaSource needs tumbling or sliding windows (commits follow"
                    + " closed windows), or session windows with a changelog (Builder.changelog: commits follow"
                    + " checkpoints), the job has " + (spec == null ? "none" : spec));
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("KafkaSource for topic '" + topic + "' was started already");
        }
        Function<? super E, ?> kf = job.keyFunction();
        if (kf == null) {
            throw new IllegalStateException("a KafkaSource needs the job's keyBy(...) before start");
        }
        this.windows = spec;
        this.keyFn = kf;
        int n = Kafka.partitions(bootstrap, topic);
        if (n > LaneEmitter.MAX_LANE) {
            throw new IllegalStateException(
                    "topic '" + topic + "' has " + n + " partitions; a KafkaSource reads at most "
                            + LaneEmitter.MAX_LANE + " (one watermark lane each)");
        }
        if (deadLetterTopic != null) {
            Kafka.partitions(bootstrap, deadLetterTopic);
            if (!exactlyOnce) {
                Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                p.put(ProducerConfig.ACKS_CONFIG, "all");
                p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                p.putAll(producerConfig);
                deadLetters = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
            }
            job.onLate(late -> {
                ProducerRecord<String, String> r =
                        deadLetterRecord(null, String.valueOf(late.event()), "late: watermark " + late.watermark());
                if (exactlyOnce) {
                    outbox.add(new Out(null, Long.MIN_VALUE, r, -1)); // in the next transaction
                } else {
                    sendDeadLetter(r);
                }
            });
        }
        // Each partition's records are a lane with the partition's own watermark (see "Time"); lane 0, where
        // no key lives, follows the overall one.
        job.eventTime(timestamp, Duration.ZERO).watermark(() -> watermark);
        if (changelogTopic != null) {
            job.changelog();
            Kafka.ensureChangelog(bootstrap, changelogTopic, n);
        }
        if (!exactlyOnce) {
            // exactly-once leaves them out as it takes the results (see takeOutbox)
            job.emitIf(r -> {
                Long floor = floors.get(r.key());
                return floor == null || r.end() > floor;
            });
        }
        StreamJob<E> j = job.start();
        this.job = j;
        this.emitter = j.laneEmitter("kafka " + topic, Backpressure.BLOCK);
        Thread t = Thread.ofPlatform().name("kafka-source " + topic).unstarted(this::pollLoop);
        thread = t;
        t.start();
        LOG.info(
                "job '{}' reads topic '{}' ({} partitions) as group '{}' from {}",
                j.name(),
                topic,
                n,
                group,
                bootstrap);
        return j;
    }

    /** This source's counters now. */
    public KafkaSourceStats stats() {
        return new KafkaSourceStats(
                records.sum(),
                bad.sum(),
                deadLettered.sum(),
                commits.sum(),
                failedCommits.sum(),
                rebalances.sum(),
                suppressed.sum(),
                assignment.size(),
                watermark,
                restoredKeys.sum(),
                lastRestoreMillis,
                changelogRecords.sum());
    }

    /** True if this source was built with {@link Builder#exactlyOnce()}. */
    public boolean isExactlyOnce() {
        return exactlyOnce;
    }

    String bootstrap() {
        return bootstrap;
    }

    /** Exactly-once: the transactional id of this run's producer, once made; for tests. */
    String transactionalId() {
        return transactionalId;
    }

    String topic() {
        return topic;
    }

    /** From an exactly-once sink, on a shard: a window result for the next transaction. Never blocks. */
    void offer(Object key, long end, ProducerRecord<String, String> record) {
        outbox.add(new Out(key, end, record, -1));
    }

    /** The partitions assigned to this process now. */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Why the poll thread ended on its own (a fatal client error, a bug), or null. */
    public Throwable failure() {
        return failure;
    }

    /** True until the poll thread has ended (after {@link #close()} or a failure). */
    public boolean isRunning() {
        return started.get() && stopped.getCount() > 0;
    }

    /**
     * Stops polling, commits, drops the open windows, closes the job and the consumer; waits for all
     * that. Idempotent.
     */
    @Override
    public void close() {
        if (!started.get()) {
            return;
        }
        closing.set(true);
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t == Thread.currentThread()) {
            return; // called from a callback on the poll thread: it ends after this round
        }
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollLoop() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.putAll(consumerConfig);
        if (transactional) {
            // records of a transactional producer upstream count once they are committed; and the offsets
            // committed in a transaction are read only once that transaction has ended
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        KafkaConsumer<String, String> c = null;
        try {
            if (transactional) {
                tx = transactionalProducer();
            }
            c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            consumer = c;
            c.subscribe(List.of(topic), new Listener());
            long lastCommit = System.nanoTime();
            long lastPublish = System.nanoTime();
            while (!closing.get()) {
                ConsumerRecords<String, String> polled;
                try {
                    polled = c.poll(POLL);
                } catch (WakeupException woken) {
                    continue; // close() woke us: the loop condition ends it
                }
                for (TopicPartition tp : polled.partitions()) {
                    take(tp, polled.records(tp));
                }
                updateWatermark();
                // the partitions' times to the shards that got none of their records (each batch carries
                // its partition's time to the shards it reaches): at most every 20 ms, at once when quiet
                if (polled.isEmpty() || System.nanoTime() - lastPublish >= PUBLISH_NANOS) {
                    emitter.publish();
                    lastPublish = System.nanoTime();
                }
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commit(partitions.keySet());
                    lastCommit = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            LOG.info("kafka-source {}: interrupted; closing", topic);
        } catch (KafkaException | IllegalStateException e) {
            failure = e;
            LOG.error("kafka-source {}: the Kafka client failed; closing the job", topic, e);
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("kafka-source {}: bug; closing the job", topic, e);
        } finally {
            finish(c);
        }
    }

    /**
     * The end on the poll thread: commits what the closed windows cover, then hands every key over (its
     * open windows are dropped, not emitted: they would be partial, and whoever reads the partitions next
     * reads their records again from the committed offsets), then closes the job.
     */
    private void finish(KafkaConsumer<String, String> c) {
        try {
            StreamJob<E> j = job;
            if (c != null && failure == null) {
                try {
                    commit(partitions.keySet());
                } catch (KafkaException | IllegalStateException e) {
                    failure = e; // the open windows are dropped all the same: the next owner replays them
                    LOG.error("kafka-source {}: the last commit failed", topic, e);
                }
            }
            if (j != null) {
                // Not after close: with no window left to emit, a closed job's closedThrough() is the end
                // of time, and would commit every offset read.
                try {
                    handedOver = true;
                    keys.clear();
                    j.discard(k -> true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    LOG.info("kafka-source {}: interrupted while dropping open windows", topic);
                } catch (IllegalStateException e) {
                    LOG.info("kafka-source {}: the job was closed already: {}", topic, e.getMessage());
                }
                j.close();
            }
        } catch (RuntimeException e) {
            LOG.error("kafka-source {}: closing failed", topic, e);
        } finally {
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(30));
            }

            if (tx != null) {
                // an open transaction is aborted by the close: what it held is replayed by the next owner
                try {
                    tx.close(Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    LOG.info("kafka-source {}: closing the transactional producer: {}", topic, e.toString());
                }
            }
            if (c != null) {
                try {
                    c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(30)));
                } catch (RuntimeException e) {
                    LOG.info("kafka-source {}: closing the consumer: {}", topic, e.toString());
                }
            }
            assignment = Set.of();
            owned = Set.of();
            stopped.countDown();
        }
    }

    private void take(TopicPartition tp, List<ConsumerRecord<String, String>> batch) throws InterruptedException {
        PartitionState st = partitions.get(tp);
        if (st == null) {
            return; // revoked between fetch and now: its new owner reads these
        }
        List<E> events = new ArrayList<>(batch.size());
        long batchMax = st.maxTs;
        long coveredEnd = Long.MIN_VALUE; // the last window end of the records since the last entry
        long aheadLimit = System.currentTimeMillis() + StreamJob.DEFAULT_MAX_AHEAD.toMillis();
        for (ConsumerRecord<String, String> r : batch) {
            records.increment();
            E e;
            String error;
            try {
                e = parser.parse(r.key(), r.value(), r.timestamp());
                error = e == null ? "the parser returned null" : null;
            } catch (Exception ex) {
                e = null;
                error = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            }
            long ts = 0;
            if (error == null) {
                try {
                    ts = timestamp.applyAsLong(e);
                    if (ts > aheadLimit) {
                        error = "timestamp " + ts + " is more than " + StreamJob.DEFAULT_MAX_AHEAD
                                + " ahead of the clock";
                    }
                } catch (RuntimeException ex) {
                    error = "timestamp function failed: " + ex;
                }
            }
            if (error != null) {
                bad.increment();
                LOG.debug("kafka-source {}: bad record at {} offset {}: {}", topic, tp, r.offset(), error);
                ProducerRecord<String, String> dl =
                        deadLetterRecord(r.key(), r.value(), error + " (" + tp + " offset " + r.offset() + ")");
                if (dl != null) {
                    if (exactlyOnce) {
                        st.deadLetter(r.offset(), dl); // in the transaction whose offsets pass it
                    } else {
                        sendDeadLetter(dl);
                    }
                }
                continue;
            }
            events.add(e);
            batchMax = Math.max(batchMax, ts);
            long end = lastEnd(ts);
            noteKey(e, tp.partition(), end);
            if (end > coveredEnd) {
                // the records before this one need not wait for its later windows
                st.pending(r.offset(), coveredEnd);
                coveredEnd = end;
            }
        }
        if (!events.isEmpty()) {
            emitter.emitAll(lane(tp), events);
        }
        st.pending(batch.get(batch.size() - 1).offset() + 1, coveredEnd);
        st.emittedNext = batch.get(batch.size() - 1).offset() + 1;
        // The partition's time moves only once its events are in: the watermark they carried did not
        // count them, so none of them is late for its own partition's sake.
        st.maxTs = batchMax;
        st.lastRecordNanos = System.nanoTime();
        updateWatermark();
    }

    /** Remembers which partition the event's key came from, and the end of its last window. */
    private void noteKey(E e, int partition, long end) {
        Object k;
        try {
            k = keyFn.apply(e);
        } catch (RuntimeException ex) {
            return; // the job refuses the event for the same reason: no state to hand over
        }
        if (k == null) {
            return;
        }
        KeyInfo ki = keys.get(k);
        if (ki == null) {
            keys.put(k, new KeyInfo(partition, end));
            if (!exactlyOnce) {
                Long through = sentThrough.get(partition);
                if (through != null && through != Long.MIN_VALUE) {
                    floors.put(k, through);
                }
            }
            return;
        }
        if (ki.partition != partition && !ki.several) {
            ki.several = true;
            LOG.info(
                    "kafka-source {}: key {} comes from partitions {} and {}: its windows are never handed"
                            + " over (a key must live in one partition for that)",
                    topic,
                    k,
                    ki.partition,
                    partition);
        }
        if (end > ki.lastEnd) {
            ki.lastEnd = end;
        }
    }

    /**
     * Drops the keys whose windows have all closed (so there is nothing of theirs to hand over): the
     * map holds the keys with open windows, not every key ever seen. A walk over the map, so it runs
     * when the map has doubled since the last one, or every 10 s.
     */
    private void prune(Map<Integer, Long> closed) {
        long now = System.nanoTime();
        if (keys.size() < 2 * Math.max(1024, keysAfterPrune) && now - lastPruneNanos < 10_000_000_000L) {
            return;
        }
        long least = least(closed);
        // every window through a floor went past the emitIf before the key's lane published closed >= it
        floors.entrySet().removeIf(e -> {
            KeyInfo ki = keys.get(e.getKey());
            return e.getValue() <= (ki == null ? least : closed.getOrDefault(ki.partition, least));
        });
        keys.values().removeIf(ki -> ki.lastEnd <= closed.getOrDefault(ki.partition, least));
        keysAfterPrune = keys.size();
        lastPruneNanos = now;
    }

    /**
     * Gives up {@code gone}: the job drops the open windows and state of their keys without emitting
     * them (their new owner reads their records again from the committed offsets, and would otherwise
     * see them counted twice, the first time partial). A key that came from several partitions stays,
     * as it may hold records of a partition kept.
     */
    private Set<Object> handOver(Collection<TopicPartition> gone) throws InterruptedException {
        Set<Integer> ps = new java.util.HashSet<>();
        for (TopicPartition tp : gone) {
            ps.add(tp.partition());
        }
        Set<Object> drop = new java.util.HashSet<>();
        var it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Object, KeyInfo> e = it.next();
            KeyInfo ki = e.getValue();
            if (!ki.several && ps.contains(ki.partition)) {
                drop.add(e.getKey());
                it.remove();
            }
        }
        // exactly-once: changelog states of those partitions not committed yet; their new owner writes its own
        changelogOut.removeIf(r -> ps.contains(r.partition()));
        changelogHeld.removeIf(r -> ps.contains(r.partition()));
        if (drop.isEmpty()) {
            return Set.of();
        }
        Set<Object> frozen = Set.copyOf(drop);
        long n = job.discard(frozen::contains);
        frozen.forEach(floors::remove);
        LOG.info("kafka-source {}: dropped the open windows of {} keys of {}", topic, n, gone);
        if (exactlyOnce) {
            // results of these keys that the shards gave before the discard: the next owner writes them
            takeOutbox();
            // late dead letters (no key) stay: they are not a hand-over's
            held.values().forEach(list -> list.removeIf(o -> o.key() != null && frozen.contains(o.key())));
            held.values().removeIf(List::isEmpty);
        }
        return frozen;
    }

    /** The end of the last window an event at {@code ts} is in. */
    private long lastEnd(long ts) {
        return switch (windows) {
            case WindowSpec.Tumbling t -> Math.floorDiv(ts, t.sizeMillis()) * t.sizeMillis() + t.sizeMillis();
            case WindowSpec.Sliding s -> Math.floorDiv(ts, s.slideMillis()) * s.slideMillis() + s.sizeMillis();
            // its sessions all end by then (unless later events extend them: their ends are noted then)
            case WindowSpec.Session s -> ts > Long.MAX_VALUE - s.gapMillis() ? Long.MAX_VALUE : ts + s.gapMillis();
        };
    }

    /** Publishes the partitions held now; poll thread. */
    private void assigned() {
        assignment = Set.copyOf(partitions.keySet());
        Set<Integer> o = new java.util.HashSet<>();
        for (TopicPartition tp : partitions.keySet()) {
            o.add(tp.partition());
        }
        owned = Set.copyOf(o);
    }

    /** The lane of a partition's records in the job. */
    private static int lane(TopicPartition tp) {
        return tp.partition() + 1;
    }

    /**
     * Moves every partition's lane to its time (the largest timestamp it delivered, less the
     * out-of-orderness), or, when every partition is caught up and idle, to the latest of them; and the
     * overall watermark of the statistics (the earliest of the partitions' times).
     */
    private void updateWatermark() {
        KafkaConsumer<String, String> c = consumer;
        long now = System.nanoTime();
        long min = Long.MAX_VALUE;
        long all = Long.MIN_VALUE;
        boolean anyActive = false;
        for (PartitionState st : partitions.values()) {
            all = Math.max(all, st.maxTs);
            OptionalLong lag = c.currentLag(st.tp);
            boolean idle = lag.isPresent() && lag.getAsLong() == 0 && now - st.lastRecordNanos >= idleNanos;
            anyActive |= !idle;
            // An idle partition that delivered records still counts while others are active: the lag
            // it shows may predate records already written to it (the burst after a broker restart),
            // and those must not find their windows closed. So it keeps its own time until all are idle.
            if (!idle || st.maxTs != Long.MIN_VALUE) {
                min = Math.min(min, st.maxTs);
            }
        }
        for (PartitionState st : partitions.values()) {
            long t = anyActive ? st.maxTs : all;
            if (t != Long.MIN_VALUE) {
                emitter.advance(lane(st.tp), t - outOfOrder);
            }
        }
        long w = anyActive ? min : all;
        watermark = w == Long.MIN_VALUE || w == Long.MAX_VALUE ? Long.MIN_VALUE : w - outOfOrder;
    }

    /**
     * Per partition held, {@link StreamJob#closedThrough(int)} of its lane: every window of its keys
     * ending at or before it is out. Read before the outbox is taken.
     */
    private Map<Integer, Long> closedByPartition() {
        Map<Integer, Long> m = new HashMap<>();
        for (PartitionState st : partitions.values()) {
            m.put(st.tp.partition(), job.closedThrough(lane(st.tp)));
        }
        return m;
    }

    /** The least of {@code closed}'s values; {@link Long#MIN_VALUE} if there are none. */
    private static long least(Map<Integer, Long> closed) {
        long m = Long.MAX_VALUE;
        for (long c : closed.values()) {
            m = Math.min(m, c);
        }
        return closed.isEmpty() ? Long.MIN_VALUE : m;
    }

    /**
     * With a changelog: a checkpoint of the job (see "Changelog"), after every shard has been told every
     * partition's time; at-least-once, its records are then flushed to the changelog. True if it holds: the
     * open windows of every record handed to the job are in the changelog (exactly-once: in {@link
     * #changelogOut}, for this transaction), and every window of a partition's keys ending at or before
     * its lane's {@code closedThrough} is out; so a partition may be committed up to {@link
     * PartitionState#emittedNext}. False without a changelog.
     *
     * @throws IllegalStateException if a sink's flush or the changelog writer failed on a shard: the
     *     source ends (see {@link #failure()})
     */
    private boolean checkpoint() {
        if (changelogTopic == null || handedOver) {
            return false;
        }
        try {
            emitter.publish();
            if (!job.checkpoint(this::changelogToTransaction)) {
                // The state written lacks windows that were emitted but not flushed, and the keys are no
                // longer marked changed: no later checkpoint could make up for it. The next owner replays
                // from the last commit instead.
                throw new IllegalStateException("a sink's flush or the changelog writer failed during a"
                        + " checkpoint (see the job's log); the records since the last commit are replayed by"
                        + " the partitions' next owner");
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.set(true);
            return false;
        }
    }

    /** The changelog record of a key's state (null: a tombstone) in its partition, lane - 1. */
    private ProducerRecord<String, String> changelogRecord(int lane, Object key, String state, long lastEnd) {
        if (!owned.contains(lane - 1)) {
            // a key of a partition lost meanwhile (its tombstone, say): its state is its new owner's to write
            return null;
        }
        return new ProducerRecord<>(
                changelogTopic, lane - 1, String.valueOf(key), state == null ? null : lastEnd + "\n" + state);
    }

    /** The checkpoint writer, on a shard: records for the poll thread's next transaction. */
    private void changelogToTransaction(int lane, Object key, String state, long lastEnd) {
        ProducerRecord<String, String> r = changelogRecord(lane, key, state, lastEnd);
        if (r != null) {
            changelogOut.add(r);
        }
    }

    /**
     * On assignment, before the first record of the partitions: reads their changelog partitions from the
     * start to the end and gives the job the last state of every key (a tombstone removes it); each
     * restored key is noted as the partition's (for a later hand-over) with the partition's floor (at
     * least-once: its windows through the last commit's {@code T} are not emitted again).
     */
    private void restore(Collection<TopicPartition> assigned) throws InterruptedException {
        long t0 = System.nanoTime();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        // a restore reads whole partitions at once: larger fetches, fewer round trips
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "-1");
        p.putAll(consumerConfig);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        long n = 0;
        long handingMillis = 0;
        try (KafkaConsumer<String, String> rc =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> cps = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                cps.add(new TopicPartition(changelogTopic, tp.partition()));
            }
            rc.assign(cps);
            rc.seekToBeginning(cps);
            Map<TopicPartition, Long> ends = rc.endOffsets(cps);
            int before = keys.size();
            long handing = 0;
            while (!closing.get()) {
                boolean done = true;
                for (TopicPartition cp : cps) {
                    done &= rc.position(cp) >= ends.get(cp);
                }
                if (done) {
                    break;
                }
                // each poll's records in changelog order, a batch per partition: a later state replaces an
                // earlier one of the same key (and a tombstone drops it), in the job as here
                Map<Integer, Map<Object, String>> batch = new HashMap<>();
                for (ConsumerRecord<String, String> r : rc.poll(POLL)) {
                    int partition = r.partition();
                    String v = r.value();
                    Object key;
                    long lastEnd = Long.MIN_VALUE;
                    int nl = v == null ? -1 : v.indexOf('\n');
                    try {
                        key = changelogKey.apply(r.key());
                        if (v != null) {
                            lastEnd = Long.parseLong(v.substring(0, Math.max(0, nl)));
                        }
                    } catch (RuntimeException ex) {
                        LOG.warn(
                                "kafka-source {}: changelog record of key '{}' in partition {} does not read: {}",
                                topic,
                                clip(String.valueOf(r.key())),
                                partition,
                                ex.toString());
                        continue;
                    }
                    if (key == null) {
                        continue;
                    }
                    batch.computeIfAbsent(partition, k -> new java.util.LinkedHashMap<>())
                            .put(key, v == null ? null : v.substring(nl + 1));
                    if (v == null) {
                        keys.remove(key);
                        floors.remove(key);
                    } else {
                        keys.put(key, new KeyInfo(partition, lastEnd));
                        long through = sentThrough.getOrDefault(partition, Long.MIN_VALUE);
                        if (!exactlyOnce && through != Long.MIN_VALUE) {
                            floors.put(key, through);
                        }
                    }
                }
                long h0 = System.nanoTime();
                for (Map.Entry<Integer, Map<Object, String>> e : batch.entrySet()) {
                    job.restore(e.getKey() + 1, e.getValue());
                }
                handing += System.nanoTime() - h0;
            }
            n = (long) keys.size() - before;
            handingMillis = handing / 1_000_000;
        }
        restoredKeys.add(n);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        lastRestoreMillis = ms;
        LOG.info(
                "kafka-source {}: restored {} keys of {} from changelog '{}' in {} ms ({} ms of it waiting for"
                        + " room in the shards' inboxes)",
                topic,
                n,
                assigned,
                changelogTopic,
                ms,
                handingMillis);
    }

    /** At-least-once: commits the offsets of closed windows of {@code which}; exactly-once: a transaction. */
    private void commit(Collection<TopicPartition> which) {
        if (transactional) {
            transact();
        } else {
            commitClosed(which);
        }
    }

    /**
     * On assignment: where the previous owner's last commit left each partition. Its offset is where
     * reading starts (the consumer's own doing); its metadata is the close limit {@code T} of that
     * commit, through which every window of the partition's keys was written, so this process does not
     * write those again ({@link #sentThrough}). Exactly-once, the offset (or, for a partition never
     * committed, the first position) is also what the next transaction commits for a partition whose
     * records closed no window yet, so that it carries the new {@code T} all the same.
     */
    private void resume(Collection<TopicPartition> assigned) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(assigned));
        for (TopicPartition tp : assigned) {
            PartitionState st = partitions.get(tp);
            OffsetAndMetadata om = committed.get(tp);
            long through = Long.MIN_VALUE;
            if (om != null) {
                st.base = om.offset();
                through = parseThrough(om.metadata());
            } else {
                st.base = consumer.position(tp);
            }
            st.emittedNext = st.base;
            sentThrough.put(tp.partition(), through);
        }
        LOG.info(
                "kafka-source {}: resuming {} at {} (windows through {} already written)",
                topic,
                assigned,
                committed,
                sentThrough);
    }

    /** The {@code T} in a committed offset's metadata; none (an at-least-once commit, say): nothing suppressed. */
    static long parseThrough(String metadata) {
        if (metadata == null || !metadata.startsWith(THROUGH)) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(metadata.substring(THROUGH.length()));
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** Moves what the shards handed over into {@link #held} (window results) or the late dead letters. */
    private void takeOutbox() {
        Out o;
        while ((o = outbox.poll()) != null) {
            if (o.key() != null) {
                KeyInfo ki = keys.get(o.key());
                Long through = ki == null ? null : sentThrough.get(ki.partition);
                if (through != null && o.end() <= through) {
                    // written by the partition's previous owner in a committed transaction
                    suppressed.increment();
                    continue;
                }
                if (ki != null) {
                    o = new Out(o.key(), o.end(), o.record(), ki.partition); // due with its partition's lane
                }
            }
            held.computeIfAbsent(o.end(), e -> new ArrayList<>()).add(o);
        }
    }

    /**
     * Exactly-once, on the poll thread: one transaction with every window result whose end is at or
     * before {@code T} of its key's partition ({@code T = job.closedThrough(lane)}, read first: every such
     * result is in the outbox by then), the dead letters of the records it passes, and for every partition
     * held the offset {@code committable(T)} with {@code T} as its metadata. A record before that offset has all its windows
     * ending at or before {@code T}, so a window ending later gets all its records from a replay that
     * starts there, and the next owner skips the windows through {@code T}, which are out: each window is
     * written once. An abortable failure aborts and keeps everything for the next try (the job's state is
     * untouched, so nothing needs replaying); a fatal one (fenced, say) ends the source.
     */
    private void transact() {
        if (handedOver || tx == null) {
            return;
        }
        boolean checkpointed = checkpoint();
        Map<Integer, Long> closedBy = closedByPartition();
        long least = least(closedBy);
        long most = least;
        for (long c : closedBy.values()) {
            most = Math.max(most, c);
        }
        takeOutbox();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        boolean moved = false;
        for (PartitionState st : partitions.values()) {
            long closed = closedBy.get(st.tp.partition());
            long o = Math.max(st.committable(closed), st.base);
            if (checkpointed) {
                o = Math.max(o, st.emittedNext); // the open windows of what came before are in this transaction
            }
            if (o >= 0) {
                // Never below what the previous owner wrote through: a member that joined has closed less
                // than that so far, and the next owner must still skip what is out.
                long through = Math.max(closed, sentThrough.getOrDefault(st.tp.partition(), Long.MIN_VALUE));
                offsets.put(st.tp, new OffsetAndMetadata(o, THROUGH + through));
                moved |= o > st.committed;
            }
        }
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        // the results due: each through its own partition's T (one whose partition is not known, and a
        // late dead letter, through the least)
        java.util.NavigableMap<Long, List<Out>> due = held.headMap(most, true);
        java.util.Set<Out> sent = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (List<Out> l : due.values()) {
            for (Out o : l) {
                if (o.end() <= closedBy.getOrDefault(o.partition(), least)) {
                    out.add(o.record());
                    sent.add(o);
                }
            }
        }
        for (PartitionState st : partitions.values()) {
            OffsetAndMetadata om = offsets.get(st.tp);
            if (om != null) {
                st.deadLettersBefore(om.offset(), out);
            }
        }
        ProducerRecord<String, String> cl;
        while ((cl = changelogOut.poll()) != null) {
            changelogHeld.add(cl); // kept until a transaction commits them: an aborted one writes them again
        }
        int changelogSent = changelogHeld.size();
        out.addAll(changelogHeld);
        if (out.isEmpty() && !moved) {
            prune(closedBy);
            return; // nothing new: no transaction
        }
        try {
            if (deadLetters != null) {
                deadLetters.flush(); // at-least-once with a changelog: bad records before the offsets are out
            }
            tx.beginTransaction();
            for (ProducerRecord<String, String> r : out) {
                var unused = tx.send(r); // a failed send fails the commit below
            }
            if (!offsets.isEmpty()) {
                tx.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            retrying("commit", tx::commitTransaction);
        } catch (ApplicationRecoverableException // fenced: another producer took over, or a stale epoch
                | OutOfOrderSequenceException
                | InvalidConfigurationException e) { // not authorized, a broker too old for transactions
            throw new IllegalStateException(
                    "exactly-once: the transactional producer cannot go on (" + e
                            + "); the records since the last committed transaction are replayed by the"
                            + " partitions' next owner",
                    e);
        } catch (KafkaException e) {
            failedCommits.increment();
            LOG.info(
                    "kafka-source {}: transaction of {} results failed ({}); aborted, tried again next time",
                    topic,
                    out.size(),
                    e.toString());
            try {
                retrying("abort", tx::abortTransaction);
            } catch (KafkaException fatal) {
                throw new IllegalStateException(
                        "exactly-once: aborting a transaction failed (" + fatal + "); closing the source", fatal);
            }
            return;
        }
        commits.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "kafka-source {}: committed a transaction of {} records through {}: {}",
                    topic,
                    out.size(),
                    closedBy,
                    offsets);
        }
        due.values().forEach(l -> l.removeIf(sent::contains));
        due.values().removeIf(List::isEmpty);
        changelogHeld.subList(0, changelogSent).clear();
        changelogRecords.add(changelogSent);
        for (PartitionState st : partitions.values()) {
            OffsetAndMetadata om = offsets.get(st.tp);
            if (om != null) {
                st.committed = om.offset();
                st.dropDeadLettersBefore(om.offset());
            }
        }
        for (ProducerRecord<String, String> r : out) {
            if (r.topic().equals(deadLetterTopic)) {
                deadLettered.increment();
            }
        }
        prune(closedBy);
    }

    /**
     * Runs a producer call that may time out (the broker away): the producer lets it be called again, up
     * to a few times; other failures are the caller's.
     */
    private void retrying(String what, Runnable call) {
        for (int attempt = 1; ; attempt++) {
            try {
                call.run();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (attempt >= 5) {
                    throw new IllegalStateException(
                            "exactly-once: the transaction " + what + " timed out " + attempt + " times: " + e, e);
                }
                LOG.info("kafka-source {}: transaction {} timed out; again", topic, what);
            }
        }
    }

    private KafkaProducer<String, String> transactionalProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // one per process and run: a consumer-group member's producer is fenced through the group
        // generation it sends with its offsets (KIP-447), not through a transactional.id tied to partitions
        transactionalId = "warren-" + group + "-" + topic + "-" + java.util.UUID.randomUUID();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // a process that dies with a transaction open holds back read_committed readers (and its partitions'
        // next owner, which waits for stable offsets) until the broker aborts it after this long
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        p.putAll(producerConfig);
        KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return producer;
    }

    /** Commits, for {@code which}, the offsets whose windows are all out; on the poll thread. */
    private void commitClosed(Collection<TopicPartition> which) {
        if (handedOver) {
            return; // the job dropped its open windows: its closedThrough() no longer says what went out
        }
        boolean checkpointed = checkpoint();
        Map<Integer, Long> closedBy = closedByPartition();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : which) {
            PartitionState st = partitions.get(tp);
            if (st != null) {
                long closed = closedBy.get(tp.partition());
                long o = st.committable(closed);
                if (checkpointed) {
                    o = Math.max(o, st.emittedNext); // the open windows of what came before are in the changelog
                }
                if (o > st.committed) {
                    long through = Math.max(closed, sentThrough.getOrDefault(tp.partition(), Long.MIN_VALUE));
                    offsets.put(tp, new OffsetAndMetadata(o, THROUGH + through));
                }
            }
        }
        prune(closedBy);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (deadLetters != null) {
                deadLetters.flush();
            }
            try {
                consumer.commitSync(offsets, COMMIT_TIMEOUT);
            } catch (WakeupException woken) {
                // close() woke a consumer that was not polling: the wake-up is spent, commit now
                closing.set(true);
                consumer.commitSync(offsets, COMMIT_TIMEOUT);
            }
            commits.increment();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                PartitionState st = partitions.get(e.getKey());
                if (st != null) {
                    st.committed = e.getValue().offset();
                }
            }
        } catch (CommitFailedException
                | RetriableException
                | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            failedCommits.increment();
            LOG.info(
                    "kafka-source {}: commit of {} failed ({}); the records are committed later or replayed",
                    topic,
                    offsets,
                    e.toString());
        } catch (WakeupException e) {
            failedCommits.increment();
            closing.set(true);
        }
    }

    /** The dead-letter record for a bad or late record, or null without a dead-letter topic. */
    private ProducerRecord<String, String> deadLetterRecord(String key, String value, String error) {
        if (deadLetterTopic == null) {
            return null;
        }
        ProducerRecord<String, String> r = new ProducerRecord<>(deadLetterTopic, key, value);
        r.headers().add("warren.error", error.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        r.headers().add("warren.source", topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return r;
    }

    private void sendDeadLetter(ProducerRecord<String, String> r) {
        KafkaProducer<String, String> p = deadLetters;
        if (p == null || r == null) {
            return;
        }
        // the callback sees every outcome; the future adds nothing
        var unused = p.send(r, (md, ex) -> {
            if (ex == null) {
                deadLettered.increment();
            } else {
                LOG.warn(
                        "kafka-source {}: a record for the dead-letter topic '{}' was lost: {}",
                        topic,
                        deadLetterTopic,
                        ex.toString());
            }
        });
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** Moves partitions in and out; runs on the poll thread, inside {@code poll}. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            rebalances.increment();
            // exactly-once: one transaction for every partition held, so each gets the current metadata
            commit(transactional ? partitions.keySet() : revoked);
            revoked.forEach(partitions::remove);
            revoked.forEach(tp -> sentThrough.remove(tp.partition()));
            assigned();
            giveUp(revoked);
            LOG.info("kafka-source {}: revoked {}", topic, revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            rebalances.increment();
            lost.forEach(partitions::remove);
            lost.forEach(tp -> sentThrough.remove(tp.partition()));
            assigned();
            giveUp(lost);
            LOG.info("kafka-source {}: lost {} (no commit: another member may own them now)", topic, lost);
        }

        private void giveUp(Collection<TopicPartition> gone) {
            try {
                handOver(gone);
            } catch (InterruptedException e) {
                // close() does not interrupt; whoever did wants the thread to end: it does after this poll
                Thread.currentThread().interrupt();
                closing.set(true);
            } catch (IllegalStateException e) {
                LOG.info("kafka-source {}: the job is closing; nothing to hand over: {}", topic, e.getMessage());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            rebalances.increment();
            for (TopicPartition tp : assigned) {
                if (lane(tp) > LaneEmitter.MAX_LANE) {
                    throw new IllegalStateException(
                            "partition " + tp + " is past the last watermark lane, " + LaneEmitter.MAX_LANE);
                }
            }
            try {
                for (TopicPartition tp : assigned) {
                    // the partition's time starts again: what it replays is not late for a time it had here
                    // before it went away (its keys were dropped then)
                    emitter.reset(lane(tp));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing.set(true);
            } catch (IllegalStateException e) {
                LOG.info("kafka-source {}: the job is closing; nothing to take over: {}", topic, e.getMessage());
                closing.set(true);
            }
            for (TopicPartition tp : assigned) {
                partitions.put(tp, new PartitionState(tp));
            }
            resume(assigned);
            if (changelogTopic != null && !closing.get()) {
                try {
                    restore(assigned);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closing.set(true);
                }
            }
            assigned();
            LOG.info("kafka-source {}: assigned {}", topic, assigned);
        }
    }

    /**
     * Exactly-once: a window result for a transaction ({@code key} its window's key), or a late dead
     * letter ({@code key} null).
     */
    private record Out(Object key, long end, ProducerRecord<String, String> record, int partition) {}

    /** Where a key's records come from, and the end of its last window; poll thread only. */
    private static final class KeyInfo {
        final int partition;
        boolean several;
        long lastEnd;

        KeyInfo(int partition, long lastEnd) {
            this.partition = partition;
            this.lastEnd = lastEnd;
        }
    }

    /** One assigned partition: its time and the offsets waiting for their windows. Poll thread only. */
    private static final class PartitionState {
        final TopicPartition tp;
        long maxTs = Long.MIN_VALUE;
        long committed = -1;
        /** The largest offset found committable so far (committed or not). */
        long ready = -1;

        /** Exactly-once: the committed offset (or first position) when assigned. */
        long base = -1;

        /** The offset after the last record handed to the job (or the first position); changelog commits. */
        long emittedNext = -1;

        /** Exactly-once: dead letters of bad records by offset, written with the offsets that pass them. */
        private final java.util.ArrayDeque<Map.Entry<Long, ProducerRecord<String, String>>> dead =
                new java.util.ArrayDeque<>();

        long lastRecordNanos = System.nanoTime();
        /** Ring of (next offset, end of the last window of the records before it), in offset order. */
        private long[] next = new long[16];

        private long[] ends = new long[16];
        private int head;
        private int size;

        PartitionState(TopicPartition tp) {
            this.tp = tp;
        }

        void deadLetter(long offset, ProducerRecord<String, String> r) {
            dead.add(Map.entry(offset, r));
        }

        void deadLettersBefore(long offset, List<ProducerRecord<String, String>> out) {
            for (Map.Entry<Long, ProducerRecord<String, String>> e : dead) {
                if (e.getKey() >= offset) {
                    break;
                }
                out.add(e.getValue());
            }
        }

        void dropDeadLettersBefore(long offset) {
            while (!dead.isEmpty() && dead.peekFirst().getKey() < offset) {
                dead.pollFirst();
            }
        }

        /** The records before {@code nextOffset} (since the previous entry) have all their windows end by {@code lastEnd}. */
        void pending(long nextOffset, long lastEnd) {
            if (size > 0) {
                int last = (head + size - 1) & (next.length - 1);
                if (ends[last] >= lastEnd) {
                    next[last] = nextOffset; // covered by the previous entry's windows: widen it
                    return;
                }
            }
            if (size == next.length) {
                long[] n = new long[size * 2];
                long[] e = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    n[i] = next[(head + i) & (next.length - 1)];
                    e[i] = ends[(head + i) & (next.length - 1)];
                }
                next = n;
                ends = e;
                head = 0;
            }
            int at = (head + size) & (next.length - 1);
            next[at] = nextOffset;
            ends[at] = lastEnd;
            size++;
        }

        /**
         * The offset to commit once every window ending at or before {@code closed} is out, or -1. What
         * it returned once it returns again (or more) until committed: a failed commit loses nothing.
         */
        long committable(long closed) {
            while (size > 0 && ends[head] <= closed) {
                ready = Math.max(ready, next[head]);
                head = (head + 1) & (next.length - 1);
                size--;
            }
            return Math.max(ready, committed);
        }
    }

    /**
     * Configures a {@link KafkaSource}. Not thread-safe.
     *
     * @param <E> the event type
     */
    public static final class Builder<E> {
        final String bootstrap;
        final String topic;
        final String group;
        final RecordParser<E> parser;
        final ToLongFunction<? super E> timestamp;
        String deadLetterTopic;
        Duration outOfOrder = Duration.ofMillis(500);
        Duration commitInterval = Duration.ofMillis(200);
        Duration idleTimeout = Duration.ofSeconds(5);
        boolean exactlyOnce;
        String changelogTopic;
        Function<String, ?> changelogKey = k -> k;
        final Map<String, String> consumerConfig = new HashMap<>();
        final Map<String, String> producerConfig = new HashMap<>();

        Builder(String bootstrap, String topic, String group, RecordParser<E> parser, ToLongFunction<? super E> ts) {
            this.bootstrap = Kafka.requireBootstrap(bootstrap);
            this.topic = Kafka.requireName("topic", topic);
            this.group = Kafka.requireName("group", group);
            this.parser = Objects.requireNonNull(parser, "parser");
            this.timestamp = Objects.requireNonNull(ts, "timestamp");
        }

        /** Where bad (and late) records go, an existing topic; default: none (they are counted only). */
        public Builder<E> deadLetterTopic(String topic) {
            this.deadLetterTopic = Kafka.requireName("deadLetterTopic", topic);
            return this;
        }

        /** How far a partition's times may go back; the watermark trails by this; default 500 ms, {@code >= 0}. */
        public Builder<E> maxOutOfOrderness(Duration d) {
            Objects.requireNonNull(d, "maxOutOfOrderness");
            if (d.isNegative()) {
                throw new IllegalArgumentException("maxOutOfOrderness must be >= 0, was " + d);
            }
            this.outOfOrder = d;
            return this;
        }

        /**
         * How long a caught-up partition must go without a record to count as idle (see the class
         * comment, "Time"); default 5 s, {@code >= 0}. It delays the last windows of a topic that goes
         * quiet by as much.
         */
        public Builder<E> idleTimeout(Duration d) {
            Objects.requireNonNull(d, "idleTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0, was " + d);
            }
            this.idleTimeout = d;
            return this;
        }

        /** How often offsets of closed windows are committed; default 200 ms, {@code >= 1 ms}. */
        public Builder<E> commitInterval(Duration d) {
            Objects.requireNonNull(d, "commitInterval");
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException("commitInterval must be >= 1 ms, was " + d);
            }
            this.commitInterval = d;
            return this;
        }

        /**
         * A consumer setting ({@code session.timeout.ms}, {@code max.poll.records}, security...); it wins
         * over the source's own, except that auto-commit stays off whatever is set.
         */
        public Builder<E> consumerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.equals(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)
                    || key.equals(ConsumerConfig.GROUP_ID_CONFIG)
                    || key.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("consumer property '" + key + "' is set by the KafkaSource itself");
            }
            consumerConfig.put(key, value);
            return this;
        }

        /**
         * Exactly-once delivery with Kafka transactions instead of at-least-once (see the class comment,
         * "Delivery: exactly-once"): window results go to their topics through {@link
         * KafkaSink#exactlyOnce} sinks, in the transactions that commit the input offsets.
         */
        public Builder<E> exactlyOnce() {
            this.exactlyOnce = true;
            return this;
        }

        /**
         * A setting of the source's own producer (the transactional one of exactly-once, else the
         * dead-letter one): {@code transaction.timeout.ms} (10 s here), security... It wins over the
         * source's, except the transactional id and idempotence, which the source sets.
         */
        public Builder<E> producerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.equals(ProducerConfig.TRANSACTIONAL_ID_CONFIG)
                    || key.equals(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)
                    || key.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("producer property '" + key + "' is set by the KafkaSource itself");
            }
            producerConfig.put(key, value);
            return this;
        }

        /**
         * Keeps the job's open windows in the changelog topic {@code topic} (see the class comment,
         * "Changelog"): made compacted with one partition per input partition if it does not exist. The
         * job's keys are written as {@code String.valueOf(key)} and read back as that text: use {@link
         * #changelog(String, Function)} if the key function gives something else.
         */
        public Builder<E> changelog(String topic) {
            return changelog(topic, k -> k);
        }

        /** {@link #changelog(String)}, with {@code key} turning a key's text back into the job's key. */
        public Builder<E> changelog(String topic, Function<String, ?> key) {
            this.changelogTopic = Kafka.requireName("changelog", topic);
            this.changelogKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The source, not yet started; see {@link KafkaSource#start}. */
        public KafkaSource<E> build() {
            return new KafkaSource<>(this);
        }
    }
}
