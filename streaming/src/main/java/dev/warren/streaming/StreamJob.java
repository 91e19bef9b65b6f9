package dev.warren.streaming;

import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.sink.WindowSink;
import dev.warren.streaming.window.Aggregator;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A running keyed stream job: sources → parse → key → N shard tasklets (per-key state and windows) →
 * sinks. Built and started by {@link #builder}.
 *
 * <pre>{@code
 * try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("temps")
 *         .source(Sources.lines(Path.of("readings.txt")))
 *         .parse(KeyValue::parse)                        // bad lines are counted and sent to onParseError
 *         .keyBy(KeyValue::key).shards(4)
 *         .window(Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(1)),
 *                 Aggregators.stats(KeyValue::value))
 *         .sink(Sinks.jsonLines(Path.of("windows.jsonl")))
 *         .start()) {
 *     job.emit("sensor-1 21.5");                         // trafilo_emit: the in-process fast path
 *     job.awaitSourcesDone();
 * }                                                      // close(): drain, emit every open window, free every state
 * }</pre>
 *
 * <p><b>Shards.</b> Each shard is a tasklet in the job's scope that alone owns the keys hashed to it, with
 * their state and windows: no locks on state, and a key is never handled by two shards. Each shard is fed
 * by its own bounded multi-producer single-consumer channel. User callbacks ({@code stateInit},
 * {@code handle}, {@code stateFree}, sinks, the late side output) run on the key's shard tasklet; the
 * parser, key function and parse-error side output run on the emitting tasklet.
 *
 * <p><b>Time.</b> Processing time by default: an event's time is the job's {@link TimeSource} when its
 * shard takes it (under the system clock the shard reads the clock after every wait and every 64
 * events, not per event; under a {@linkplain TimeSource#manual manual clock}, when it is emitted), and a
 * window closes when that clock passes its end. With {@link Builder#eventTime}, an event's
 * time is taken from the event, and the watermark is the largest time emitted so far minus the allowed
 * out-of-orderness; a window closes when the watermark passes its end plus the grace period. An event
 * whose windows have all closed is late: counted and given to the late side output. An event stamped
 * further ahead of the clock than {@link Builder#maxAhead} allows (1 minute by default) is counted as
 * future and given to the future side output, and never moves the watermark. A shard waits on its
 * inbox only until its next window is due, so windows close on time even for keys that stopped
 * receiving events.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. {@code emit} blocks as its
 * {@link Backpressure} says; {@link #close()} and {@link #awaitTermination} block; the others do not.
 * From the job's own tasklets (callbacks, sources, sinks) {@code close} and {@code awaitTermination}
 * would wait for their caller: they throw {@link IllegalStateException} instead; call
 * {@link #shutdown()} there, which does not wait.
 *
 * <p><b>Closing.</b> {@link #shutdown()} starts a graceful stop: sources are closed and their tasklets
 * stopped, every event already in a shard inbox is processed, every open window is emitted (whatever the
 * watermark), {@code stateFree} is called for every key, and the sinks are closed. {@link #close()} does
 * that and waits. Emits after shutdown began throw {@link IllegalStateException}. Closing twice is
 * harmless. While it runs, the job is part of the {@code streams} report of
 * {@link dev.warren.tasklets.observe.Reports}.
 *
 * <p><b>Memory consistency.</b> Actions before an {@code emit} happen-before the callbacks for that event;
 * actions in every callback happen-before {@link #close()} (or a successful {@code awaitTermination})
 * returns.
 *
 * @param <E> the event type
 */
public sealed interface StreamJob<E> extends AutoCloseable permits JobRuntime {

    /** How far ahead of the clock an event's time may be under event time, unless {@link Builder#maxAhead} says otherwise. */
    Duration DEFAULT_MAX_AHEAD = Duration.ofMinutes(1);

    /**
     * A builder for a job named {@code name} whose events have type {@code E}. Keys, state and window
     * results get their types from {@link Builder#keyBy}, {@link Builder#stateInit} and
     * {@link Builder#window}.
     */
    static <E> Builder<E, Object, Void, Void> builder(String name) {
        return new Builder<>(name);
    }

    /** The job's name. */
    String name();

    /** Parses {@code raw} with the job's parser and routes it, blocking while its shard is full. */
    void emit(String raw) throws InterruptedException;

    /** An emitter of raw lines parsed by the job's parser, shown as source {@code name}. */
    Emitter<String> emitter(String name, Backpressure backpressure);

    /** An emitter of ready events (no parsing), shown as source {@code name}. */
    Emitter<E> eventEmitter(String name, Backpressure backpressure);

    /**
     * An emitter of ready events in lanes, each with its own watermark (see {@link LaneEmitter}), shown as
     * source {@code name}.
     *
     * @throws IllegalStateException if the job does not run on event time ({@link Builder#eventTime})
     */
    LaneEmitter<E> laneEmitter(String name, Backpressure backpressure);

    /** The job's counters now. */
    JobStats stats();

    /**
     * How far the job's output is complete: every window whose end is at or before the returned time
     * (in the job's milliseconds) has been handed to the sinks and the sinks were {@linkplain
     * WindowSink#flush() flushed} afterwards, on every shard; {@link Long#MIN_VALUE} until then. Each
     * shard publishes its share when its inbox runs empty and every 4,096 events, so the value trails the
     * shards a little and never runs ahead of them. An event emitted before this call whose windows all
     * end at or before the value is accounted for: in an emitted window, or counted late. A source that
     * acknowledges its input upstream (Kafka offsets) does so only for such events. Never blocks.
     */
    long closedThrough();

    /**
     * {@link #closedThrough()} for the keys of lane {@code lane} of a {@link LaneEmitter} (lane 0: the
     * same as {@code closedThrough()}): every window of those keys ending at or before the returned time
     * has been handed to the sinks and flushed; {@link Long#MIN_VALUE} until every shard has heard of the
     * lane, and again after its {@linkplain LaneEmitter#reset reset}. Never blocks.
     *
     * @throws IllegalArgumentException if {@code lane} is not in [0, {@link LaneEmitter#MAX_LANE}]
     */
    long closedThrough(int lane);

    /**
     * Drops, without emitting anything, the open windows and the state of every key {@code keys}
     * accepts ({@code stateFree} is called for each, as for an evicted key), and returns how many keys
     * were dropped. A source that hands keys over to another process (a revoked Kafka partition, whose
     * records the new owner reads again) uses it so that their windows are not emitted partial here.
     *
     * <p>The request goes through every shard's inbox like an event: each shard applies it on its own
     * tasklet after the events emitted before this call (so those are dropped too, if their key is),
     * calling {@code keys} (which must be thread-safe: shards call it at once) for each of its live keys.
     * Events emitted after this call returns start new state. A predicate that throws keeps the key and
     * is counted as a callback error.
     *
     * <p>Blocks until every shard has done it, waiting for room in full inboxes.
     *
     * @throws IllegalStateException if the job is shutting down or has ended (its shards emit every open
     *     window then), or if called from one of the job's own tasklets, which this call would wait for
     * @throws InterruptedException if interrupted while waiting; shards not reached yet do not drop
     */
    long discard(java.util.function.Predicate<Object> keys) throws InterruptedException;

    /**
     * A checkpoint for a changelog ({@link Builder#changelog()}): every shard, in band (after the events
     * emitted before this call), flushes its sinks and hands each key whose windows changed since its
     * previous checkpoint to {@code writer}: the key's open windows as text, or a tombstone for a key
     * whose windows all closed (not for keys {@linkplain #discard dropped}: they were handed over). Then
     * it publishes its close limits, so that right after this call {@link #closedThrough(int)} of a lane
     * whose watermark every shard had (a {@link LaneEmitter#publish}ed one) is the close limit of this
     * checkpoint: every window of the lane's keys ending at or before it was emitted and flushed, and
     * every later one is in the state written, as far as the events before this call go. A source
     * acknowledges its input up to those events once the writer's records are durable.
     *
     * <p>Blocks until every shard has done it.
     *
     * @return false if a sink's flush or the writer failed on some shard (the state written may then
     *     lack windows that were emitted but not flushed: do not acknowledge on it)
     * @throws IllegalStateException if the job keeps no changelog, is shutting down or ended, or if
     *     called from one of its own tasklets
     * @throws InterruptedException if interrupted while waiting
     */
    boolean checkpoint(ChangelogWriter writer) throws InterruptedException;

    /**
     * Gives each key's shard, in band, the windows a checkpoint wrote for it: every state of {@code
     * states} (the text a {@link ChangelogWriter} got) replaces what the shard holds for its key, which
     * joins lane {@code lane}; a null state drops the key. So a changelog read in order, batch after batch,
     * leaves each key with its last state. Windows ending at or before the lane's close limit are not
     * reopened. A state that does not read (other windows, a broken text) is counted as a callback error
     * and logged. One message per shard; waits only for room in the inboxes.
     *
     * @throws IllegalStateException if the job keeps no changelog or is shut down
     * @throws IllegalArgumentException if {@code lane} is not in [0, {@link LaneEmitter#MAX_LANE}]
     */
    void restore(int lane, java.util.Map<?, String> states) throws InterruptedException;

    /** Waits until every source's {@code run} has returned (their input is exhausted or they failed). */
    void awaitSourcesDone() throws InterruptedException;

    /** Starts a graceful stop and returns at once; see the class comment. Idempotent. */
    void shutdown();

    /**
     * Waits for the job to end after {@link #shutdown()}.
     *
     * @return true if it ended, false if {@code timeout} passed first
     * @throws IllegalStateException if called from one of the job's own tasklets
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** True until the job has ended. */
    boolean isRunning();

    /**
     * {@link #shutdown()}, then waits until the job has ended (an interrupt is kept for later).
     *
     * @throws IllegalStateException if called from one of the job's own tasklets (a callback, a source, a
     *     sink), which the job waits for; nothing is shut down then
     */
    @Override
    void close();

    /**
     * Configures a {@link StreamJob}; {@link #start()} starts it. Type-changing steps ({@code keyBy},
     * {@code stateInit}, {@code window}) return this builder with new type arguments. Not thread-safe;
     * build one job per builder.
     *
     * @param <E> the event type
     * @param <K> the key type
     * @param <S> the per-key state type ({@code Void}: stateless)
     * @param <R> the window result type ({@code Void}: no windows)
     */
    final class Builder<E, K, S, R> {
        final String name;
        final List<SourceSpec<?, E>> sources = new ArrayList<>();
        Parser<? super String, ? extends E> parser;
        Function<? super E, ?> keyFn;
        int shards = Math.max(1, Runtime.getRuntime().availableProcessors());
        int queueCapacity = 8192;
        WindowSpec window;
        Aggregator<? super E, ?, ?> aggregator;
        ToLongFunction<? super E> timestampFn;
        long outOfOrderMillis;
        java.util.function.LongSupplier watermarkFn;
        long graceMillis;
        TimeSource timeSource = TimeSource.system();
        Function<Object, Object> stateInit;
        BiConsumer<Object, Object> handle;
        BiConsumer<Object, Object> stateFree;
        long idleTtlMillis;
        final List<WindowSink<Object, Object, Object>> sinks = new ArrayList<>();
        Consumer<? super ParseError> onParseError;
        Consumer<? super LateEvent<E>> onLate;
        java.util.function.Predicate<WindowResult<Object, Object>> emitIf;
        Consumer<? super FutureEvent<E>> onFuture;
        boolean changelog;
        Function<Object, String> stateEncoder;
        Function<String, Object> stateDecoder;
        long maxAheadMillis = DEFAULT_MAX_AHEAD.toMillis();
        Duration tick = Duration.ofMillis(200);

        Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("job name must not be blank, was '" + name + "'");
            }
            this.name = name;
        }

        record SourceSpec<T, E>(Source<T> source, Parser<? super T, ? extends E> parser, Backpressure backpressure) {}

        /** Adds a source of lines, parsed by the job's {@link #parse parser}, with {@link Backpressure#BLOCK}. */
        public Builder<E, K, S, R> source(Source<String> source) {
            return source(source, Backpressure.BLOCK);
        }

        /** Adds a source of lines, parsed by the job's {@link #parse parser}. */
        public Builder<E, K, S, R> source(Source<String> source, Backpressure backpressure) {
            sources.add(new SourceSpec<>(
                    Objects.requireNonNull(source, "source"),
                    null,
                    Objects.requireNonNull(backpressure, "backpressure")));
            return this;
        }

        /** Adds a source of raw records of any type with its own parser. */
        public <T> Builder<E, K, S, R> source(
                Source<T> source, Parser<? super T, ? extends E> parser, Backpressure backpressure) {
            sources.add(new SourceSpec<>(
                    Objects.requireNonNull(source, "source"),
                    Objects.requireNonNull(parser, "parser"),
                    Objects.requireNonNull(backpressure, "backpressure")));
            return this;
        }

        /** The parser of lines, for line sources and {@link StreamJob#emit(String)}. */
        public Builder<E, K, S, R> parse(Parser<? super String, ? extends E> parser) {
            this.parser = Objects.requireNonNull(parser, "parser");
            return this;
        }

        /** The key of an event (must be non-null, with consistent {@code hashCode}/{@code equals}). Required. */
        @SuppressWarnings("unchecked")
        public <K2> Builder<E, K2, S, R> keyBy(Function<? super E, ? extends K2> key) {
            this.keyFn = Objects.requireNonNull(key, "key");
            return (Builder<E, K2, S, R>) this;
        }

        /** The number of shard tasklets, {@code > 0}; default: the number of processors. */
        public Builder<E, K, S, R> shards(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("shards must be > 0, was " + n);
            }
            this.shards = n;
            return this;
        }

        /** The capacity of each shard's inbox, {@code > 0}; default 8192 events. */
        public Builder<E, K, S, R> queueCapacity(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("queueCapacity must be > 0, was " + n);
            }
            this.queueCapacity = n;
            return this;
        }

        /** Groups each key's events into {@code spec} windows folded by {@code aggregator}. */
        @SuppressWarnings("unchecked")
        public <R2> Builder<E, K, S, R2> window(WindowSpec spec, Aggregator<? super E, ?, R2> aggregator) {
            this.window = Objects.requireNonNull(spec, "spec");
            this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
            return (Builder<E, K, S, R2>) this;
        }

        /**
         * Event time: an event's time is {@code timestamp(event)} in milliseconds, and the watermark trails
         * the largest time emitted by {@code maxOutOfOrderness} (which must be {@code >= 0}). An event
         * stamped more than {@link #maxAhead} ahead of the clock is not taken (see there).
         */
        public Builder<E, K, S, R> eventTime(ToLongFunction<? super E> timestamp, Duration maxOutOfOrderness) {
            this.timestampFn = Objects.requireNonNull(timestamp, "timestamp");
            this.outOfOrderMillis = nonNegative("maxOutOfOrderness", maxOutOfOrderness);
            return this;
        }

        /**
         * The key function given to {@link #keyBy}, or null if none was given (yet): a source that must
         * know which keys its input holds (a Kafka source, to {@linkplain StreamJob#discard drop} the
         * keys of a partition it gives up) calls it as the job does, so it must be a pure function.
         */
        public Function<? super E, ?> keyFunction() {
            return keyFn;
        }

        /** The window shape given to {@link #window}, or null if none was given (yet). */
        public WindowSpec windowSpec() {
            return window;
        }

        /**
         * Under event time, the watermark comes from {@code watermark} instead of being the largest time
         * emitted minus the out-of-orderness: a source that knows more (the slowest of its Kafka
         * partitions) supplies it. Read on the emitting thread at every emit and by the job's ticker, so
         * it must be cheap and thread-safe; a value lower than an earlier one holds the watermark where
         * it is (shards never move it back).
         *
         * @throws IllegalStateException at {@link #start()} if event time was not chosen
         */
        public Builder<E, K, S, R> watermark(java.util.function.LongSupplier watermark) {
            this.watermarkFn = Objects.requireNonNull(watermark, "watermark");
            return this;
        }

        /** How long after the watermark passes a window's end events are still accepted into it; default 0. */
        public Builder<E, K, S, R> grace(Duration grace) {
            this.graceMillis = nonNegative("grace", grace);
            return this;
        }

        /** The clock of processing time; default {@link TimeSource#system()}. */
        public Builder<E, K, S, R> timeSource(TimeSource clock) {
            this.timeSource = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Creates a key's state when the key first appears (again after an eviction); on the key's shard. */
        @SuppressWarnings("unchecked")
        public <S2> Builder<E, K, S2, R> stateInit(Function<? super K, ? extends S2> init) {
            this.stateInit = (Function<Object, Object>) Objects.requireNonNull(init, "init");
            return (Builder<E, K, S2, R>) this;
        }

        /** Called for every event that is not late, with its key's state (null if stateless); on the shard. */
        @SuppressWarnings("unchecked")
        public Builder<E, K, S, R> handle(BiConsumer<? super E, ? super S> handle) {
            this.handle = (BiConsumer<Object, Object>) Objects.requireNonNull(handle, "handle");
            return this;
        }

        /** Called exactly once per key lifetime: at idle eviction or at shutdown; on the shard. */
        @SuppressWarnings("unchecked")
        public Builder<E, K, S, R> stateFree(BiConsumer<? super K, ? super S> free) {
            this.stateFree = (BiConsumer<Object, Object>) Objects.requireNonNull(free, "free");
            return this;
        }

        /**
         * Evicts a key (calling {@code stateFree}) once it has had no event for {@code ttl} of the job's
         * time and all its windows were emitted; default: keys with state live until shutdown.
         */
        public Builder<E, K, S, R> idleTtl(Duration ttl) {
            long ms = nonNegative("idleTtl", ttl);
            if (ms == 0) {
                throw new IllegalArgumentException("idleTtl must be >= 1 ms, was " + ttl);
            }
            this.idleTtlMillis = ms;
            return this;
        }

        /** Adds a sink of window results (key, result, state). */
        @SuppressWarnings("unchecked")
        public Builder<E, K, S, R> sink(WindowSink<K, R, S> sink) {
            sinks.add((WindowSink<Object, Object, Object>) (WindowSink<?, ?, ?>) Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** Adds a callback sink of window results; see {@link Sinks#callback}. */
        public Builder<E, K, S, R> sink(Consumer<? super WindowResult<K, R>> callback) {
            return sink(Sinks.<K, R, S>callback(callback));
        }

        /** The parse-error side output (on the emitting tasklet); default: logged at debug. */
        public Builder<E, K, S, R> onParseError(Consumer<? super ParseError> sideOutput) {
            this.onParseError = Objects.requireNonNull(sideOutput, "sideOutput");
            return this;
        }

        /**
         * Under event time, how far ahead of the {@linkplain #timeSource clock} an event's time may be;
         * default {@link StreamJob#DEFAULT_MAX_AHEAD} (1 minute), {@code >= 1 ms}. A later event is
         * counted ({@link JobStats#future()}), sent to the {@linkplain #onFuture future side output} and
         * does not move the watermark, so that one bad clock or a garbled timestamp cannot make every
         * later event late. Replaying recorded data whose times lie ahead of the clock needs a larger
         * allowance (or a {@link ManualTimeSource} set to the data's time).
         */
        public Builder<E, K, S, R> maxAhead(Duration allowance) {
            long ms = nonNegative("maxAhead", allowance);
            if (ms == 0) {
                throw new IllegalArgumentException("maxAhead must be >= 1 ms, was " + allowance);
            }
            this.maxAheadMillis = ms;
            return this;
        }

        /** The future-event side output (on the emitting tasklet; see {@link #maxAhead}); default: logged at debug. */
        public Builder<E, K, S, R> onFuture(Consumer<? super FutureEvent<E>> sideOutput) {
            this.onFuture = Objects.requireNonNull(sideOutput, "sideOutput");
            return this;
        }

        /**
         * A test each closed window passes before it goes to the sinks: one it refuses is dropped (not
         * counted as emitted). Called on the key's shard tasklet, several shards at once, so it must be
         * thread-safe and must not block. Given twice, a window must pass both. A source that hands
         * keys over between processes uses it to leave out windows the previous owner emitted already.
         */
        @SuppressWarnings("unchecked")
        public Builder<E, K, S, R> emitIf(java.util.function.Predicate<? super WindowResult<K, R>> test) {
            Objects.requireNonNull(test, "test");
            java.util.function.Predicate<WindowResult<Object, Object>> t =
                    (java.util.function.Predicate<WindowResult<Object, Object>>) (java.util.function.Predicate<?>) test;
            java.util.function.Predicate<WindowResult<Object, Object>> before = emitIf;
            this.emitIf = before == null ? t : before.and(t);
            return this;
        }

        /**
         * Tracks the keys whose windows change so that {@link StreamJob#checkpoint} can write them to a
         * changelog and {@link StreamJob#restore} read them back. Needs windows (any kind) with an
         * aggregator that is an {@link dev.warren.streaming.window.AccumulatorCodec} (the built-in ones
         * are; see {@link dev.warren.streaming.window.Aggregators#withCodec}); a job with per-key state
         * ({@link #stateInit}) needs {@link #changelog(Function, Function)} instead, so that the state goes
         * with the windows. Checked at {@link #start()}. Calling it after {@code changelog(encode, decode)}
         * keeps the state codec.
         */
        public Builder<E, K, S, R> changelog() {
            this.changelog = true;
            return this;
        }

        /**
         * {@link #changelog()} for a job with per-key state: a key's state goes to the changelog with its
         * windows, as one line of text from {@code encode} (no line break; called on the key's shard, so
         * it may read the state as {@code handle} writes it), and is read back with {@code decode} (which
         * may throw {@link IllegalArgumentException} for text it did not write: counted as a callback
         * error, the key then starts from {@code stateInit}). A key whose state is null writes none.
         */
        @SuppressWarnings("unchecked")
        public Builder<E, K, S, R> changelog(Function<? super S, String> encode, Function<String, ? extends S> decode) {
            this.stateEncoder = (Function<Object, String>) Objects.requireNonNull(encode, "encode");
            this.stateDecoder = (Function<String, Object>) Objects.requireNonNull(decode, "decode");
            this.changelog = true;
            return this;
        }

        /** True if {@link #changelog()} was called. */
        public boolean hasChangelog() {
            return changelog;
        }

        /** The late-event side output (on the shard); default: logged at debug. */
        public Builder<E, K, S, R> onLate(Consumer<? super LateEvent<E>> sideOutput) {
            this.onLate = Objects.requireNonNull(sideOutput, "sideOutput");
            return this;
        }

        /**
         * How often the job broadcasts the event-time watermark to idle shards and samples its rates;
         * default 200 ms.
         */
        public Builder<E, K, S, R> tick(Duration every) {
            if (nonNegative("tick", every) == 0) {
                throw new IllegalArgumentException("tick must be >= 1 ms, was " + every);
            }
            this.tick = every;
            return this;
        }

        /**
         * Starts the job: its shards, its sources, and the {@code streams} report.
         *
         * @throws IllegalStateException if no key function was given, or lines must be parsed and no
         *     parser was given
         */
        public StreamJob<E> start() {
            if (keyFn == null) {
                throw new IllegalStateException("job '" + name + "': keyBy(...) is required");
            }
            if (changelog) {
                if (window == null) {
                    throw new IllegalStateException(
                            "job '" + name + "': changelog() keeps windows, the job has" + " none (window(...))");
                }
                if (!(aggregator instanceof dev.warren.streaming.window.AccumulatorCodec<?>)) {
                    throw new IllegalStateException("job '" + name + "': changelog() needs an aggregator that"
                            + " can write its accumulators (an AccumulatorCodec, see Aggregators.withCodec); "
                            + aggregator + " cannot");
                }
                if ((stateInit != null || handle != null) && stateEncoder == null) {
                    throw new IllegalStateException("job '" + name + "': changelog() keeps windows only; give"
                            + " changelog(encode, decode) for the job's per-key state (stateInit/handle), or it"
                            + " would not survive a hand-over");
                }
            }
            if (watermarkFn != null && timestampFn == null) {
                throw new IllegalStateException(
                        "job '" + name + "': watermark(...) needs event time: call eventTime(...) too");
            }
            for (SourceSpec<?, E> s : sources) {
                if (s.parser() == null && parser == null) {
                    throw new IllegalStateException("job '" + name + "': source '"
                            + s.source().name() + "' emits lines but no parse(...) was given");
                }
            }
            return JobRuntime.start(this);
        }

        private static long nonNegative(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must be >= 0, was " + d);
            }
            return d.toMillis();
        }
    }
}
