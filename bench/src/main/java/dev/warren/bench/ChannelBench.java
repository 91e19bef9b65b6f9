package dev.warren.bench;

import dev.warren.tasklets.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Channel against the JDK's blocking queues, moving messages between virtual threads.
 *
 * <p>Each benchmark operation starts the virtual threads, moves a whole batch through the queue and
 * joins them; {@link OperationsPerInvocation} turns that into a per-message figure. Starting and joining
 * a few virtual threads costs microseconds, noise against a batch that takes milliseconds. All bounded
 * queues have the same capacity; {@link LinkedTransferQueue} is unbounded (it has no capacity to set).
 *
 * <pre>
 * java -cp bench/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main ChannelBench -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChannelBench {

    static final int CAPACITY = 1024;
    static final int BATCH = 100_000;
    static final int PRODUCERS = 4;
    static final int ROUND_TRIPS = 5_000;

    /** channel: the default (MPMC); channel-sc: single-consumer (MPSC); abq; ltq. */
    @Param({"channel", "channel-sc", "abq", "ltq"})
    public String impl;

    private Pipe pipe;
    private Pipe back;
    private final Integer[] values = new Integer[CAPACITY];

    /** The operations the benchmarks need, over the four implementations. */
    interface Pipe {
        void put(Integer v) throws InterruptedException;

        Integer take() throws InterruptedException;
    }

    record ChannelPipe(Channel<Integer> c) implements Pipe {
        @Override
        public void put(Integer v) throws InterruptedException {
            c.send(v);
        }

        @Override
        public Integer take() throws InterruptedException {
            return c.receive();
        }
    }

    record QueuePipe(BlockingQueue<Integer> q) implements Pipe {
        @Override
        public void put(Integer v) throws InterruptedException {
            q.put(v);
        }

        @Override
        public Integer take() throws InterruptedException {
            return q.take();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < values.length; i++) {
            values[i] = i; // boxed once: the benchmark measures the queue, not allocation
        }
        pipe = create(impl);
        back = create(impl);
    }

    static Pipe create(String impl) {
        return switch (impl) {
            case "channel" ->
                new ChannelPipe(Channel.<Integer>builder(CAPACITY).name("bench").build());
            case "channel-sc" ->
                new ChannelPipe(Channel.<Integer>builder(CAPACITY)
                        .name("bench")
                        .singleConsumer()
                        .build());
            case "abq" -> new QueuePipe(new ArrayBlockingQueue<>(CAPACITY));
            case "ltq" -> new QueuePipe(new LinkedTransferQueue<>());
            default -> throw new IllegalArgumentException("impl must be channel, channel-sc, abq or ltq, was " + impl);
        };
    }

    interface Body {
        void run() throws InterruptedException;
    }

    static Thread start(Body body) {
        return Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** One producer and one consumer virtual thread; score = messages per microsecond. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    public long spsc() throws InterruptedException {
        return transfer(1);
    }

    /** Four producers and one consumer virtual thread; score = messages per microsecond. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    public long mpsc() throws InterruptedException {
        return transfer(PRODUCERS);
    }

    private long transfer(int producers) throws InterruptedException {
        long[] sum = new long[1];
        Thread consumer = start(() -> {
            long s = 0;
            for (int i = 0; i < BATCH; i++) {
                s += pipe.take();
            }
            sum[0] = s;
        });
        List<Thread> threads = new ArrayList<>(producers);
        int each = BATCH / producers;
        for (int p = 0; p < producers; p++) {
            threads.add(start(() -> {
                Integer[] vs = values;
                for (int i = 0; i < each; i++) {
                    pipe.put(vs[i & (CAPACITY - 1)]);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        consumer.join();
        return sum[0];
    }

    /** A request and its reply between two virtual threads; score = time per round trip. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(ROUND_TRIPS)
    public long pingPong() throws InterruptedException {
        Thread ponger = start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                back.put(pipe.take());
            }
        });
        long[] sum = new long[1];
        Thread pinger = start(() -> {
            long s = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pipe.put(values[i & (CAPACITY - 1)]);
                s += back.take();
            }
            sum[0] = s;
        });
        pinger.join();
        ponger.join();
        return sum[0];
    }
}
