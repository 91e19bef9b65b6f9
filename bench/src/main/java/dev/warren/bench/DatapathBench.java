package dev.warren.bench;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Datapath;
import dev.warren.streaming.datapath.Datapaths;
import dev.warren.streaming.datapath.StageStats;
import dev.warren.streaming.datapath.StreamReader;
import dev.warren.streaming.datapath.Streams;
import dev.warren.streaming.datapath.stages.Compress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Datapaths side by side (issue 16 §6), in one JVM, in alternating rounds:
 * <ul>
 *   <li><b>pipeline</b>: blocks/s of N 100-byte blocks through {@code (gen) > (grep,pattern=REGEX) > (count)}
 *       on one tasklet, and with a {@code (boundary)} after {@code gen}; the same pipeline (the same
 *       blocks, the same regex over the bytes read as ISO-8859-1, a count) in Pekko Streams (fused, and with
 *       {@code .async()} after the source) and in Reactor ({@code Flux}, and with {@code publishOn} a
 *       single-thread scheduler after the source). The peers allocate a block per element (their elements
 *       are immutable values); Warren's {@code gen} refills one buffer. Every run must count the same matches.</li>
 *   <li><b>compress</b>: MB/s of the {@code compress} stage ({@code format=deflate}, level 6, 64 KiB blocks of
 *       log-like text) called as a stage vs a bare {@link Deflater} doing the same (reset, input, finish,
 *       deflate) on the same blocks; both must produce the same number of bytes.</li>
 *   <li><b>export</b>: blocks/s delivered to each of R = 1 and 4 readers of an exported stream
 *       ({@code (gen,size=100,export,name=…,ring=64m)}), reading with {@code read} (a copy) or with
 *       {@code peek} (a view), vs an {@link ArrayBlockingQueue} hand-off (one queue of 1024 per reader, the
 *       producer putting a copy of each block into every queue). The ring never waits for a reader, so
 *       readers may lose blocks to overruns: their count is printed with the rate.</li>
 * </ul>
 *
 * <pre>
 * make build
 * java -cp 'bench/target/warren-bench.jar:bench/target/lib/*' dev.warren.bench.DatapathBench [pipeline,compress,export]
 *     (-Dblocks=5000000 -Drounds=3 -Dmegabytes=256)
 * </pre>
 */
public final class DatapathBench {
    static final String PAYLOAD = "abcdefghijklmnopqrstuvwxyz";
    /** Numbers whose last three digits are 1?3: about 1 block in 100 matches. */
    static final String REGEX = "1[0-9]3 ";

    private DatapathBench() {}

    public static void main(String[] args) throws Exception {
        String parts = args.length > 0 ? args[0] : "pipeline,compress,export";
        long blocks = Long.getLong("blocks", 5_000_000L);
        int rounds = Integer.getInteger("rounds", 3);
        long megabytes = Long.getLong("megabytes", 256);
        System.out.printf(
                Locale.ROOT,
                "# %d cores, java %s, %,d blocks of 100 bytes, %d rounds%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                blocks,
                rounds);
        for (String part : parts.split(",")) {
            switch (part) {
                case "pipeline" -> pipeline(blocks, rounds);
                case "compress" -> compress(megabytes, rounds);
                case "export" -> export(blocks, rounds);
                default ->
                    throw new IllegalArgumentException(
                            "unknown part '" + part + "' (parts: pipeline, compress, export)");
            }
        }
        Datapaths.shutdown();
    }

    // ------------------------------------------------------------------ pipeline

    static void pipeline(long n, int rounds) throws Exception {
        System.out.println("== pipeline: (gen) > (grep,pattern=\"" + REGEX + "\") > (count), blocks/s ==");
        ActorSystem system = ActorSystem.create("bench");
        Materializer mat = Materializer.matFromSystem(system);
        Scheduler single = Schedulers.newSingle("bench-publishOn");
        try {
            String[] names = {
                "warren 1 tasklet", "warren boundary", "pekko fused", "pekko async", "reactor", "reactor publishOn"
            };
            List<List<Double>> rates = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                rates.add(new ArrayList<>());
            }
            long expected = -1;
            // -Dpipeline.only=NAME runs one of them alone: in a JVM of its own, no other pipeline's code
            // shares (and pollutes) the profiles the JIT compiles the common paths with (run-bench.sh does
            // that, alternating JVMs).
            String only = System.getProperty("pipeline.only");
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < names.length; i++) {
                    if (only != null && !only.equals(names[i])) {
                        continue;
                    }
                    long t0 = System.nanoTime();
                    long matches = switch (i) {
                        case 0 -> warrenPipeline(n, false);
                        case 1 -> warrenPipeline(n, true);
                        case 2 -> pekko(n, false, mat);
                        case 3 -> pekko(n, true, mat);
                        case 4 -> reactor(n, null);
                        default -> reactor(n, single);
                    };
                    double secs = (System.nanoTime() - t0) / 1e9;
                    if (expected < 0) {
                        expected = matches;
                    } else if (matches != expected) {
                        throw new AssertionError(names[i] + " counted " + matches + " matches, expected " + expected);
                    }
                    rates.get(i).add(n / secs);
                    System.out.printf(Locale.ROOT, "round %d  %-18s %,14.0f blocks/s%n", r + 1, names[i], n / secs);
                }
            }
            System.out.printf(Locale.ROOT, "(%,d matches each)%n", expected);
            if (only != null) {
                return;
            }
            for (int i = 0; i < names.length; i++) {
                System.out.printf(Locale.ROOT, "median  %-18s %,14.0f blocks/s%n", names[i], median(rates.get(i)));
            }
            double peer = Math.max(
                    Math.max(median(rates.get(2)), median(rates.get(3))),
                    Math.max(median(rates.get(4)), median(rates.get(5))));
            System.out.printf(
                    Locale.ROOT,
                    "warren 1 tasklet / fastest peer: %.2fx; warren boundary / fastest peer: %.2fx (goal >= 2x)%n",
                    median(rates.get(0)) / peer,
                    median(rates.get(1)) / peer);
        } finally {
            single.dispose();
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    static long warrenPipeline(long n, boolean boundary) throws InterruptedException {
        String request = "(gen,count=" + n + ",size=100,payload=" + PAYLOAD + ") > " + (boundary ? "(boundary) > " : "")
                + "(grep,pattern=\"" + REGEX + "\") > (count)";
        try (Datapath dp = Datapaths.insert(request)) {
            if (!dp.awaitDone(Duration.ofMinutes(30))) {
                throw new AssertionError("not done after 30 minutes: " + dp.stats());
            }
            List<StageStats> s = dp.stats();
            return s.get(s.size() - 1).in();
        }
    }

    static long pekko(long n, boolean async, Materializer mat) throws Exception {
        Grep grep = new Grep();
        Source<byte[], ?> blocks = Source.range(1, Math.toIntExact(n)).map(DatapathBench::block);
        if (async) {
            blocks = blocks.async();
        }
        CompletionStage<Long> count = blocks.filter(grep::matches).runWith(Sink.fold(0L, (c, b) -> c + 1), mat);
        return count.toCompletableFuture().get(30, TimeUnit.MINUTES);
    }

    static long reactor(long n, Scheduler boundary) {
        Grep grep = new Grep();
        Flux<byte[]> blocks = Flux.range(1, Math.toIntExact(n)).map(DatapathBench::block);
        if (boundary != null) {
            blocks = blocks.publishOn(boundary);
        }
        Long count = blocks.filter(grep::matches).count().block(Duration.ofMinutes(30));
        return count == null ? -1 : count;
    }

    /** The block {@code gen} makes: the number, a space, the payload repeated up to 100 bytes. */
    static byte[] block(long number) {
        byte[] b = new byte[100];
        byte[] digits = (number + " ").getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(digits, 0, b, 0, digits.length);
        for (int i = digits.length; i < b.length; i++) {
            b[i] = (byte) PAYLOAD.charAt((i - digits.length) % PAYLOAD.length());
        }
        return b;
    }

    /** The peers' grep: the same regex over the bytes read as ISO-8859-1 without copying, as Warren's does. */
    static final class Grep implements CharSequence {
        private final Matcher matcher = Pattern.compile(REGEX).matcher("");
        private byte[] a = new byte[0];

        boolean matches(byte[] block) {
            a = block;
            return matcher.reset(this).find();
        }

        @Override
        public int length() {
            return a.length;
        }

        @Override
        public char charAt(int index) {
            return (char) (a[index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(a, start, end - start, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(a, StandardCharsets.ISO_8859_1);
        }
    }

    // ------------------------------------------------------------------ compress

    static void compress(long megabytes, int rounds) throws Exception {
        System.out.println(
                "== compress: the stage (format=deflate, level 6) vs a bare Deflater, 64 KiB blocks, MB/s ==");
        byte[][] data = logLikeBlocks(16, 64 << 10);
        long blocks = megabytes * (1 << 20) / (64 << 10);
        List<Double> stage = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Compress.Compressor c = new Compress.Compressor("deflate", 6);
            c.open(null);
            long t0 = System.nanoTime();
            long outStage = 0;
            for (long i = 0; i < blocks; i++) {
                Block b = Block.of(data[(int) (i % data.length)]);
                c.process(b);
                outStage += b.length();
            }
            double s1 = (System.nanoTime() - t0) / 1e9;
            c.close();
            Deflater d = new Deflater(6, true);
            byte[] out = new byte[(64 << 10) + 1024];
            t0 = System.nanoTime();
            long outBare = 0;
            for (long i = 0; i < blocks; i++) {
                byte[] in = data[(int) (i % data.length)];
                d.reset();
                d.setInput(in, 0, in.length);
                d.finish();
                int pos = 0;
                while (!d.finished()) {
                    pos += d.deflate(out, pos, out.length - pos);
                }
                outBare += pos;
            }
            double s2 = (System.nanoTime() - t0) / 1e9;
            d.end();
            if (outStage != outBare) {
                throw new AssertionError("the stage wrote " + outStage + " bytes, the Deflater " + outBare);
            }
            double mb = blocks * (64 << 10) / 1e6;
            stage.add(mb / s1);
            bare.add(mb / s2);
            System.out.printf(
                    Locale.ROOT,
                    "round %d  compress stage %8.1f MB/s   bare Deflater %8.1f MB/s   (ratio %.3f)%n",
                    r + 1,
                    mb / s1,
                    mb / s2,
                    (double) outBare / (blocks * (64L << 10)));
        }
        System.out.printf(
                Locale.ROOT,
                "median  compress stage %.1f MB/s, bare Deflater %.1f MB/s: %.2fx (goal >= 0.9x)%n",
                median(stage),
                median(bare),
                median(stage) / median(bare));
    }

    /** Log lines with varying numbers and words: compressible like real text, not like a repeated string. */
    static byte[][] logLikeBlocks(int count, int size) {
        Random r = new Random(16);
        String[] words = {"GET", "POST", "/api/v1/items", "/health", "ok", "timeout", "user", "cache", "miss", "hit"};
        byte[][] blocks = new byte[count][];
        for (int k = 0; k < count; k++) {
            StringBuilder s = new StringBuilder(size + 128);
            while (s.length() < size) {
                s.append("2025-01-")
                        .append(10 + r.nextInt(20))
                        .append('T')
                        .append(r.nextInt(24))
                        .append(':')
                        .append(r.nextInt(60))
                        .append(" ")
                        .append(words[r.nextInt(words.length)])
                        .append(' ')
                        .append(words[r.nextInt(words.length)])
                        .append(" id=")
                        .append(r.nextInt(1_000_000))
                        .append(" ms=")
                        .append(r.nextInt(5000))
                        .append('\n');
            }
            blocks[k] = s.substring(0, size).getBytes(StandardCharsets.ISO_8859_1);
        }
        return blocks;
    }

    // ------------------------------------------------------------------ export

    static void export(long n, int rounds) throws Exception {
        System.out.println("== exported stream vs ArrayBlockingQueue hand-off: blocks/s to each reader ==");
        int run = 0;
        for (int r = 0; r < rounds; r++) {
            for (int readers : new int[] {1, 4}) {
                for (String mode : new String[] {"read", "peek", "abq"}) {
                    long t0 = System.nanoTime();
                    long[] got = mode.equals("abq") ? abq(n, readers) : ring(n, readers, mode.equals("peek"), ++run);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long min = Long.MAX_VALUE;
                    for (long g : got) {
                        min = Math.min(min, g);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "round %d  %d reader%s %-5s %,14.0f blocks/s per reader   lost %,d of %,d (the worst reader)%n",
                            r + 1,
                            readers,
                            readers == 1 ? " " : "s",
                            mode,
                            n / secs,
                            n - min,
                            n);
                }
            }
        }
    }

    /** Blocks each reader got from an exported stream fed by gen. */
    static long[] ring(long n, int readers, boolean peek, int run) throws Exception {
        String name = "bench" + run;
        long[] got = new long[readers];
        List<Thread> threads = new ArrayList<>();
        try (Datapath dp = Datapaths.insert(
                "(gen,count=" + n + ",size=100,payload=" + PAYLOAD + ",export,name=" + name + ",ring=64m)")) {
            for (int i = 0; i < readers; i++) {
                StreamReader reader = Streams.open(name);
                int k = i;
                threads.add(Thread.ofPlatform().name("reader " + i).start(() -> {
                    long blocks = 0;
                    byte[] buf = new byte[4096];
                    try (reader) {
                        if (peek) {
                            long sum = 0;
                            for (ByteBuffer v; (v = reader.peek()) != null; ) {
                                sum += v.get(v.position()); // look at the view, do not copy it
                                blocks++;
                            }
                            BLACKHOLE.addAndGet(sum);
                        } else {
                            while (reader.read(buf, 0, buf.length) >= 0) {
                                blocks++;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    got[k] = blocks;
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            dp.awaitDone(Duration.ofMinutes(1));
        }
        return got;
    }

    private static final AtomicLong BLACKHOLE = new AtomicLong();
    private static final byte[] END = new byte[0];

    /** Blocks each consumer took from its ArrayBlockingQueue, the producer putting a copy into every queue. */
    static long[] abq(long n, int readers) throws Exception {
        List<BlockingQueue<byte[]>> queues = new ArrayList<>();
        long[] got = new long[readers];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            BlockingQueue<byte[]> q = new ArrayBlockingQueue<>(1024);
            queues.add(q);
            int k = i;
            threads.add(Thread.ofPlatform().name("consumer " + i).start(() -> {
                long blocks = 0;
                try {
                    for (byte[] b; (b = q.take()) != END; ) {
                        blocks += b.length > 0 ? 1 : 0;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got[k] = blocks;
            }));
        }
        byte[] template = block(1);
        for (long i = 1; i <= n; i++) {
            for (BlockingQueue<byte[]> q : queues) {
                q.put(template.clone());
            }
        }
        for (BlockingQueue<byte[]> q : queues) {
            q.put(END);
        }
        for (Thread t : threads) {
            t.join();
        }
        return got;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get((s.size() - 1) / 2);
    }
}
