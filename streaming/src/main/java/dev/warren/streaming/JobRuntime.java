package dev.warren.streaming;

import dev.warren.streaming.sink.WindowSink;
import dev.warren.streaming.window.Aggregator;
import dev.warren.streaming.window.WindowSpec;
import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.Uninterruptibly;
import dev.warren.tasklets.observe.LogStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running job. A job tasklet ({@code stream-job:NAME}, in a standalone scope of the same name owned
 * by the tasklet that started the job) opens the job's scope and forks into it the
 * shards, the sources and the ticker; {@link #shutdown()} releases it to run the graceful stop in order
 * (sources, then inboxes closed and drained, then sinks), so the scope is opened and closed by one
 * tasklet whoever calls {@code close}.
 */
final class JobRuntime<E> implements StreamJob<E> {
    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);

    private final String name;
    final WindowSpec windowSpec;
    final Aggregator<?, ?, ?> aggregator;
    final Function<Object, Object> stateInit;
    final BiConsumer<Object, Object> handle;
    final BiConsumer<Object, Object> stateFree;
    final long idleTtl;
    final long grace;
    final List<WindowSink<Object, Object, Object>> sinks;
    final boolean eventTime;
    final TimeSource clock;
    /** Processing time on a real clock: shards time their own waits. */
    final boolean systemProcessingTime;

    private final Function<Object, ?> keyFn;
    private final ToLongFunction<Object> timestampFn;
    private final long outOfOrder;
    private final java.util.function.LongSupplier watermarkFn;
    private final Consumer<? super ParseError> onParseError;
    private final Consumer<Object> onLate;
    /** The aggregator as its own {@link dev.warren.streaming.window.AccumulatorCodec} if the job keeps a changelog; else null. */
    final dev.warren.streaming.window.AccumulatorCodec<Object> changelogCodec;

    /** With {@code changelog(encode, decode)}: the per-key state's codec; else null. */
    final Function<Object, String> stateEncoder;

    final Function<String, Object> stateDecoder;

    /** The builder's {@code emitIf}, or null: every closed window goes to the sinks. */
    final java.util.function.Predicate<dev.warren.streaming.window.WindowResult<Object, Object>> emitIf;

    private final Consumer<Object> onFuture;
    private final long maxAhead;
    /**
     * The clock plus {@link #maxAhead} when last read: an event stamped at or before it is not ahead
     * of the clock by more than allowed now either, so the clock is read only when an event comes later.
     */
    private volatile long futureLimit = Long.MIN_VALUE;

    private final java.util.concurrent.atomic.LongAdder future = new java.util.concurrent.atomic.LongAdder();
    private final Parser<? super String, ? extends E> parser;
    private final List<StreamJob.Builder.SourceSpec<?, E>> sourceSpecs;
    private final List<EmitterImpl<?>> sourceEmitters = new ArrayList<>();
    private final Duration tick;

    private final Channel<Object>[] inboxes;
    private final Shard[] shards;
    private final List<EmitterImpl<?>> emitters = new CopyOnWriteArrayList<>();
    private final EmitterImpl<String> defaultEmitter;
    private final AtomicLong maxTimestamp = new AtomicLong(Long.MIN_VALUE);

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CountDownLatch sourcesDone;
    private final AtomicBoolean shutdownCalled = new AtomicBoolean();
    /** {@link #discard} and {@link #checkpoint} requests not answered yet: the job's end abandons them. */
    private final java.util.Set<Rec.Request> pendingRequests = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Runnable clockListener = this::broadcastTick;
    private volatile double eventsPerSecond;
    /** The job tasklet and the scope it opened: a close or await from inside them would wait for itself. */
    private volatile Tasklet<?> jobTasklet;

    private volatile TaskletScope jobScope;
    /** The standalone scope the job tasklet runs in, owned by the tasklet or thread that started the job. */
    private volatile TaskletScope ownerScope;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private JobRuntime(StreamJob.Builder<E, ?, ?, ?> b) {
        this.name = b.name;
        this.windowSpec = b.window;
        this.aggregator = b.aggregator;
        this.stateInit = b.stateInit;
        this.handle = b.handle;
        this.stateFree = b.stateFree;
        this.idleTtl = b.idleTtlMillis;
        this.grace = b.graceMillis;
        this.sinks = List.copyOf(b.sinks);
        this.eventTime = b.timestampFn != null;
        this.clock = b.timeSource;
        this.systemProcessingTime = !eventTime && !(clock instanceof ManualTimeSource);
        this.keyFn = (Function<Object, ?>) b.keyFn;
        this.timestampFn = (ToLongFunction<Object>) b.timestampFn;
        this.outOfOrder = b.outOfOrderMillis;
        this.watermarkFn = b.watermarkFn;
        this.onParseError = b.onParseError;
        this.onLate = (Consumer<Object>) (Consumer<?>) b.onLate;
        this.emitIf = b.emitIf;
        this.changelogCodec =
                b.changelog ? (dev.warren.streaming.window.AccumulatorCodec<Object>) (Object) b.aggregator : null;
        this.stateEncoder = b.stateEncoder;
        this.stateDecoder = b.stateDecoder;
        this.onFuture = (Consumer<Object>) (Consumer<?>) b.onFuture;
        this.maxAhead = b.maxAheadMillis;
        this.parser = b.parser;
        this.sourceSpecs = List.copyOf(b.sources);
        this.tick = b.tick;
        this.inboxes = new Channel[b.shards];
        this.shards = new Shard[b.shards];
        for (int i = 0; i < b.shards; i++) {
            inboxes[i] = Channel.builder(b.queueCapacity)
                    .name(name + "/shard-" + i)
                    .singleConsumer()
                    .build();
            shards[i] = new Shard(this, i, inboxes[i]);
        }
        for (StreamJob.Builder.SourceSpec<?, E> s : sourceSpecs) {
            @SuppressWarnings("rawtypes")
            Parser p = s.parser() != null ? s.parser() : parser;
            EmitterImpl<?> em = new EmitterImpl<Object>(this, s.source().name(), s.backpressure(), p);
            em.source(s.source());
            sourceEmitters.add(em);
            emitters.add(em);
        }
        this.defaultEmitter = new EmitterImpl<>(this, "emit", Backpressure.BLOCK, parser);
        emitters.add(defaultEmitter);
        this.sourcesDone = new CountDownLatch(sourceSpecs.size());
    }

    static <E> StreamJob<E> start(StreamJob.Builder<E, ?, ?, ?> b) {
        JobRuntime<E> job = new JobRuntime<>(b);
        if (job.clock instanceof ManualTimeSource m) {
            m.addListener(job.clockListener);
        }
        StreamsReport.add(job);
        // The job belongs to whoever starts it, as a server does: a standalone scope owned by the calling
        // tasklet (or thread), so that cancelling the owner cancels the job and the registry shows the
        // job under it. close() and a successful awaitTermination() close it.
        job.ownerScope =
                TaskletScope.supervise("stream-job:" + job.name).standalone().open();
        job.ownerScope.fork("stream-job:" + job.name, job::run);
        Uninterruptibly.await(job.started::await);
        return job;
    }

    private void run() {
        // Set here, not from start()'s result: a sink or source could close the job before start() returns.
        jobTasklet = Tasklets.current().orElseThrow();
        try (TaskletScope scope = TaskletScope.supervise("stream:" + name).open()) {
            jobScope = scope;
            List<Tasklet<Void>> shardTasks = new ArrayList<>();
            for (Shard s : shards) {
                shardTasks.add(scope.fork(name + "/shard-" + s.index, () -> runShard(s)));
            }
            List<Tasklet<Void>> sourceTasks = new ArrayList<>();
            for (int i = 0; i < sourceSpecs.size(); i++) {
                StreamJob.Builder.SourceSpec<?, E> spec = sourceSpecs.get(i);
                EmitterImpl<?> em = sourceEmitters.get(i);
                sourceTasks.add(scope.fork(name + "/source-" + spec.source().name(), () -> runSource(spec, em)));
            }
            Tasklet<Void> ticker = scope.fork(name + "/tick", this::tickLoop);
            started.countDown();
            try {
                stopRequested.await();
            } catch (InterruptedException e) {
                LOG.warn("job '{}' cancelled: stopping without draining", name);
                return;
            }
            for (StreamJob.Builder.SourceSpec<?, E> spec : sourceSpecs) {
                try {
                    spec.source().close();
                } catch (RuntimeException ex) {
                    LOG.warn(
                            "job '{}': closing source '{}' failed",
                            name,
                            spec.source().name(),
                            ex);
                }
            }
            sourceTasks.forEach(Tasklet::cancel);
            sourceTasks.forEach(JobRuntime::joinQuietly);
            for (Channel<Object> in : inboxes) {
                in.close();
            }
            shardTasks.forEach(JobRuntime::joinQuietly);
            ticker.cancel();
            joinQuietly(ticker);
            for (WindowSink<Object, Object, Object> sink : sinks) {
                try {
                    sink.close();
                } catch (Exception ex) {
                    LOG.warn("job '{}': closing sink {} failed", name, sink, ex);
                }
            }
        } finally {
            for (Channel<Object> in : inboxes) {
                in.close();
            }
            // every shard has ended (or was cancelled): a request still waiting gets no answer from them
            pendingRequests.forEach(Rec.Request::abandon);
            if (clock instanceof ManualTimeSource m) {
                m.removeListener(clockListener);
            }
            StreamsReport.remove(this);
            started.countDown();
            terminated.countDown();
        }
    }

    private static void joinQuietly(Tasklet<?> t) {
        Uninterruptibly.await(() -> {
            try {
                t.join();
            } catch (RuntimeException ended) {
                // Cancelled or failed: the scope's supervisor already logged a failure.
            }
        });
    }

    private void runShard(Shard s) throws InterruptedException {
        try {
            s.run();
        } catch (RuntimeException | Error bug) {
            LOG.error("job '{}': shard {} failed; shutting the job down", name, s.index, bug);
            shutdown();
            inboxes[s.index].close();
            throw bug;
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void runSource(StreamJob.Builder.SourceSpec<T, E> spec, EmitterImpl<?> em) {
        try {
            spec.source().run((Emitter<T>) em);
        } catch (InterruptedException stopped) {
            LOG.debug("job '{}': source '{}' stopped", name, spec.source().name());
        } catch (Exception ex) {
            if (!shutdownCalled.get()) {
                LOG.warn("job '{}': source '{}' failed", name, spec.source().name(), ex);
            }
        } finally {
            sourcesDone.countDown();
        }
    }

    private void tickLoop() throws InterruptedException {
        long lastWm = Long.MIN_VALUE;
        long lastNanos = System.nanoTime();
        long lastEvents = 0;
        while (!stopRequested.await(tick.toMillis(), TimeUnit.MILLISECONDS)) {
            if (eventTime) {
                long wm = watermark();
                if (wm > lastWm) {
                    boolean all = true;
                    for (Channel<Object> in : inboxes) {
                        try {
                            all &= in.offer(new Rec.Watermark(wm, 0));
                        } catch (ChannelClosedException closed) {
                            return;
                        }
                    }
                    if (all) {
                        lastWm = wm;
                    }
                }
            }
            long now = System.nanoTime();
            if (now - lastNanos >= 1_000_000_000L) {
                long events = eventsIn();
                eventsPerSecond = (events - lastEvents) * 1e9 / (now - lastNanos);
                lastEvents = events;
                lastNanos = now;
            }
        }
    }

    /** The manual clock moved: tell every shard the time, in band, behind the events emitted before. */
    private void broadcastTick() {
        Rec.Watermark now = new Rec.Watermark(clock.nowMillis(), 0);
        for (Channel<Object> in : inboxes) {
            try {
                in.send(now);
            } catch (ChannelClosedException closed) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long watermark() {
        if (watermarkFn != null) {
            return watermarkFn.getAsLong();
        }
        return Rec.sub(maxTimestamp.get(), outOfOrder);
    }

    /** Keys, times and routes one parsed event; on the emitting thread. */
    void route(Object event, Object raw, EmitterImpl<?> from) throws InterruptedException {
        Rec.Event r = toRecord(event, raw, from);
        if (r != null) {
            from.deliver(inboxes[shardOf(r.key())], r);
        }
    }

    int shardCount() {
        return inboxes.length;
    }

    Channel<Object> inbox(int shard) {
        return inboxes[shard];
    }

    /** The shard that owns {@code key}: the hash, spread, mapped onto [0, shards) without a division. */
    int shardOf(Object key) {
        int h = key.hashCode() * 0x9E3779B9;
        return (int) ((((h ^ (h >>> 16)) & 0xFFFFFFFFL) * inboxes.length) >>> 32);
    }

    /** The event with its key and time, or null (after rejecting it) if keying or timing it failed. */
    Rec.Event toRecord(Object event, Object raw, EmitterImpl<?> from) {
        return toRecord(event, raw, from, 0, Long.MIN_VALUE);
    }

    /**
     * The same, for lane {@code lane}: above 0, the event carries {@code laneWm} (its lane's watermark)
     * instead of the job's.
     */
    Rec.Event toRecord(Object event, Object raw, EmitterImpl<?> from, int lane, long laneWm) {
        Object key;
        long ts;
        try {
            key = keyFn.apply(event);
            ts = eventTime ? timestampFn.applyAsLong(event) : 0;
        } catch (RuntimeException ex) {
            from.reject(raw, "key or timestamp function failed: " + EmitterImpl.describe(ex));
            return null;
        }
        if (key == null) {
            from.reject(raw, "key is null");
            return null;
        }
        long wm;
        if (eventTime) {
            if (ts > futureLimit && isAhead(key, event, ts)) {
                return null;
            }
            long max = maxTimestamp.get();
            while (ts > max && !maxTimestamp.compareAndSet(max, ts)) {
                max = maxTimestamp.get();
            }
            wm = watermarkFn != null ? watermarkFn.getAsLong() : Rec.sub(Math.max(max, ts), outOfOrder);
        } else if (systemProcessingTime) {
            ts = Long.MIN_VALUE; // the shard stamps it when it takes the event (see Shard.take)
            wm = Long.MIN_VALUE;
        } else {
            ts = clock.nowMillis();
            wm = ts;
        }
        return new Rec.Event(key, event, ts, lane == 0 ? wm : laneWm, lane);
    }

    /**
     * Reads the clock: true (after counting the event and giving it to the future side output) if
     * {@code ts} lies more than {@link #maxAhead} ahead of it.
     */
    private boolean isAhead(Object key, Object event, long ts) {
        long limit = Rec.add(clock.nowMillis(), maxAhead);
        futureLimit = limit;
        if (ts <= limit) {
            return false;
        }
        future.increment();
        if (onFuture == null) {
            LOG.debug(
                    "job '{}': event for key {} at {} is more than {} ms ahead of the clock", name, key, ts, maxAhead);
            return true;
        }
        try {
            onFuture.accept(new FutureEvent<>(key, event, ts, limit));
        } catch (RuntimeException ex) {
            LOG.warn("job '{}': the future side output threw", name, ex);
        }
        return true;
    }

    void parseError(ParseError error) {
        if (LogStreams.STREAM_PARSE.enabled()) {
            LogStreams.STREAM_PARSE.log(
                    "job '{}': source '{}' could not parse {}: {}",
                    name,
                    error.source(),
                    clip(error.raw()),
                    error.reason());
        }
        if (onParseError == null) {
            LOG.debug("job '{}': parse error from '{}': {}", name, error.source(), error.reason());
            return;
        }
        try {
            onParseError.accept(error);
        } catch (RuntimeException ex) {
            LOG.warn("job '{}': the parse-error side output threw", name, ex);
        }
    }

    void late(Object key, Object event, long ts, long wm, Shard shard) {
        if (LogStreams.STREAM_LATE.enabled()) {
            LogStreams.STREAM_LATE.log(
                    "job '{}': late event for key {} at {} (watermark {}): {}", name, clip(key), ts, wm, clip(event));
        }
        if (onLate == null) {
            LOG.debug("job '{}': late event for key {} at {} (watermark {})", name, key, ts, wm);
            return;
        }
        try {
            onLate.accept(new LateEvent<>(key, event, ts, wm));
        } catch (RuntimeException ex) {
            shard.callbackError("onLate", ex);
        }
    }

    /** A record as a log line shows it: at most 200 characters, so a huge input cannot flood a stream. */
    private static String clip(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " chars)";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void emit(String raw) throws InterruptedException {
        if (parser == null) {
            throw new IllegalStateException("job '" + name + "' has no parse(...): use eventEmitter");
        }
        defaultEmitter.emit(raw);
    }

    @Override
    public Emitter<String> emitter(String sourceName, Backpressure backpressure) {
        if (parser == null) {
            throw new IllegalStateException("job '" + name + "' has no parse(...): use eventEmitter");
        }
        return register(new EmitterImpl<String>(
                this, checkName(sourceName), java.util.Objects.requireNonNull(backpressure, "backpressure"), parser));
    }

    @Override
    public Emitter<E> eventEmitter(String sourceName, Backpressure backpressure) {
        return register(new EmitterImpl<E>(
                this, checkName(sourceName), java.util.Objects.requireNonNull(backpressure, "backpressure"), null));
    }

    private static String checkName(String n) {
        java.util.Objects.requireNonNull(n, "name");
        if (n.isBlank()) {
            throw new IllegalArgumentException("source name must not be blank, was '" + n + "'");
        }
        return n;
    }

    private <T> Emitter<T> register(EmitterImpl<T> em) {
        emitters.add(em);
        return em;
    }

    private long eventsIn() {
        long n = 0;
        for (Shard s : shards) {
            n += s.pubEventsIn.get();
        }
        return n;
    }

    @Override
    public long closedThrough() {
        return closedThrough(0);
    }

    @Override
    public long closedThrough(int lane) {
        LaneEmitterImpl.checkLane(lane, true);
        long min = Long.MAX_VALUE;
        for (Shard s : shards) {
            min = Math.min(min, s.closedOf(lane));
        }
        return min;
    }

    @Override
    public LaneEmitter<E> laneEmitter(String sourceName, Backpressure backpressure) {
        if (!eventTime) {
            throw new IllegalStateException("job '" + name + "' does not run on event time: lanes are event-time"
                    + " watermarks (Builder.eventTime)");
        }
        EmitterImpl<E> em = new EmitterImpl<E>(
                this, checkName(sourceName), java.util.Objects.requireNonNull(backpressure, "backpressure"), null);
        register(em);
        return new LaneEmitterImpl<>(this, em);
    }

    /** Sends {@code m} to every shard's inbox, in band, waiting for room. */
    void broadcast(Object m) throws InterruptedException {
        for (Channel<Object> in : inboxes) {
            try {
                in.send(m);
            } catch (ChannelClosedException closed) {
                throw new IllegalStateException("job '" + name + "' is shut down", closed);
            }
        }
    }

    @Override
    public long discard(java.util.function.Predicate<Object> keys) throws InterruptedException {
        java.util.Objects.requireNonNull(keys, "keys");
        checkNotInside("asked to discard keys");
        if (shutdownCalled.get()) {
            throw new IllegalStateException("job '" + name + "' is shutting down: its shards emit every open window");
        }
        Rec.Discard d =
                new Rec.Discard(keys, new CountDownLatch(inboxes.length), new AtomicLong(), new AtomicBoolean());
        // registered before it is sent: the job's end abandons every request it may have left unanswered
        pendingRequests.add(d);
        try {
            for (Channel<Object> in : inboxes) {
                try {
                    in.send(d);
                } catch (ChannelClosedException closed) {
                    throw new IllegalStateException(
                            "job '" + name + "' is shutting down: its shards emit every open window", closed);
                }
            }
            d.done().await();
        } finally {
            pendingRequests.remove(d);
        }
        if (d.abandoned().get()) {
            throw new IllegalStateException("job '" + name + "' ended before every shard dropped the keys");
        }
        return d.dropped().get();
    }

    @Override
    public boolean checkpoint(ChangelogWriter writer) throws InterruptedException {
        java.util.Objects.requireNonNull(writer, "writer");
        if (changelogCodec == null) {
            throw new IllegalStateException("job '" + name + "' keeps no changelog (Builder.changelog())");
        }
        checkNotInside("asked for a checkpoint");
        if (shutdownCalled.get()) {
            throw new IllegalStateException("job '" + name + "' is shutting down");
        }
        Rec.Checkpoint c = new Rec.Checkpoint(
                writer, new CountDownLatch(inboxes.length), new AtomicBoolean(true), new AtomicBoolean());
        pendingRequests.add(c);
        try {
            broadcast(c);
            c.done().await();
        } finally {
            pendingRequests.remove(c);
        }
        if (c.abandoned().get()) {
            throw new IllegalStateException("job '" + name + "' ended before every shard took the checkpoint");
        }
        return c.ok().get();
    }

    @Override
    public void restore(int lane, Map<?, String> states) throws InterruptedException {
        LaneEmitterImpl.checkLane(lane, true);
        java.util.Objects.requireNonNull(states, "states");
        if (changelogCodec == null) {
            throw new IllegalStateException("job '" + name + "' keeps no changelog (Builder.changelog())");
        }
        int n = inboxes.length;
        Object[][] keys = new Object[n][];
        String[][] values = new String[n][];
        int[] counts = new int[n];
        for (Map.Entry<?, String> e : states.entrySet()) {
            Object key = java.util.Objects.requireNonNull(e.getKey(), "a key of states");
            int s = shardOf(key);
            if (keys[s] == null) {
                keys[s] = new Object[Math.min(states.size(), 64)];
                values[s] = new String[keys[s].length];
            } else if (counts[s] == keys[s].length) {
                keys[s] = java.util.Arrays.copyOf(keys[s], Math.min(states.size(), keys[s].length * 2));
                values[s] = java.util.Arrays.copyOf(values[s], keys[s].length);
            }
            keys[s][counts[s]] = key;
            values[s][counts[s]++] = e.getValue();
        }
        for (int s = 0; s < n; s++) {
            int c = counts[s];
            if (c == 0) {
                continue;
            }
            try {
                inboxes[s].send(new Rec.Restore(
                        lane, java.util.Arrays.copyOf(keys[s], c), java.util.Arrays.copyOf(values[s], c)));
            } catch (ChannelClosedException closed) {
                throw new IllegalStateException("job '" + name + "' is shut down", closed);
            }
        }
    }

    @Override
    public JobStats stats() {
        List<ShardStats> sh = new ArrayList<>(shards.length);
        long in = 0;
        long late = 0;
        long keys = 0;
        long windows = 0;
        long errors = 0;
        for (Shard s : shards) {
            ShardStats st = s.stats();
            sh.add(st);
            in += st.eventsIn();
            late += st.late();
            keys += st.liveKeys();
            windows += st.windowsEmitted();
            errors += st.callbackErrors();
        }
        List<SourceStats> src = new ArrayList<>();
        long parseErrors = 0;
        long dropped = 0;
        long upstream = 0;
        for (EmitterImpl<?> em : emitters) {
            SourceStats st = em.stats();
            src.add(st);
            parseErrors += st.parseErrors();
            dropped += st.dropped();
            upstream += Math.max(0, st.upstreamDrops());
        }
        return new JobStats(
                name,
                eventTime ? "event" : "processing",
                in,
                eventsPerSecond,
                parseErrors,
                late,
                future.sum(),
                dropped,
                upstream,
                keys,
                windows,
                errors,
                List.copyOf(sh),
                List.copyOf(src));
    }

    /** The job's part of the {@code streams} report. */
    Map<String, Object> report() {
        JobStats st = stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", st.name());
        m.put("time", st.time());
        m.put("window", windowSpec == null ? null : windowSpec.toString());
        m.put("events_in", st.eventsIn());
        m.put("events_per_s", Math.round(st.eventsPerSecond()));
        m.put("parse_errors", st.parseErrors());
        m.put("late", st.late());
        m.put("future", st.future());
        m.put("dropped", st.dropped());
        m.put("upstream_drops", st.upstreamDrops());
        m.put("live_keys", st.liveKeys());
        m.put("windows_emitted", st.windowsEmitted());
        m.put("callback_errors", st.callbackErrors());
        List<Object> sh = new ArrayList<>();
        for (ShardStats s : st.shards()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("shard", s.shard());
            x.put("events_in", s.eventsIn());
            x.put("queue_depth", s.queueDepth());
            x.put("live_keys", s.liveKeys());
            x.put("late", s.late());
            x.put("windows_emitted", s.windowsEmitted());
            sh.add(x);
        }
        m.put("shards", sh);
        List<Object> src = new ArrayList<>();
        for (SourceStats s : st.sources()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", s.name());
            x.put("backpressure", s.backpressure());
            x.put("emitted", s.emitted());
            x.put("parse_errors", s.parseErrors());
            x.put("dropped", s.dropped());
            x.put("upstream_drops", s.upstreamDrops());
            src.add(x);
        }
        m.put("sources", src);
        return m;
    }

    @Override
    public void awaitSourcesDone() throws InterruptedException {
        sourcesDone.await();
    }

    @Override
    public void shutdown() {
        if (shutdownCalled.compareAndSet(false, true)) {
            stopRequested.countDown();
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        checkNotInside("awaited");
        if (!terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        ownerScope.close(); // the job tasklet has ended or is ending: this waits no longer than that
        return true;
    }

    /**
     * Refuses a wait for the job from its own tasklets: the job tasklet (sinks and sources are closed
     * there) or any tasklet of its scope (shards, sources, the ticker), which the job waits for.
     */
    private void checkNotInside(String what) {
        Tasklet<?> me = Tasklets.current().orElse(null);
        Tasklet<?> job = jobTasklet;
        TaskletScope scope = jobScope;
        if (me != null && ((job != null && me.id() == job.id()) || (scope != null && scope.isCallerInside()))) {
            throw TaskletScope.selfWaitRefused(
                    "stream job '" + name + "'",
                    what,
                    "call shutdown() there (a callback, source or sink): it does not wait");
        }
    }

    @Override
    public boolean isRunning() {
        return terminated.getCount() > 0;
    }

    @Override
    public void close() {
        checkNotInside("closed");
        shutdown();
        Uninterruptibly.await(terminated::await);
        ownerScope.close();
    }

    @Override
    public String toString() {
        return "StreamJob[" + name + ", " + shards.length + " shards" + (isRunning() ? "" : ", ended") + "]";
    }
}
