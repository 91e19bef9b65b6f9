package dev.warren.streaming.datapath;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stage classes that exist only on the test class path, registered by the test jar's own
 * {@code META-INF/services} file: they prove that a jar adds stages with no other change, and they record
 * what the runtime does to them.
 */
final class TestStages {
    private TestStages() {}

    /** Lifecycle events, "tag:event", in order, per test (tag option). */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    /** What each recording stage saw, per tag: the blocks as UTF-8 text. */
    static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();

    /** How many blocks a probe had seen when its endOfInput was called, per tag. */
    static final Map<String, Integer> SEEN_AT_END = new ConcurrentHashMap<>();

    /** Latches that {@code (gate,tag=T)} stages wait on, per tag. */
    static final Map<String, java.util.concurrent.CountDownLatch> GATES = new ConcurrentHashMap<>();

    /** The names of the tasklets that called {@code (where,tag=T)}, per tag. */
    static final Map<String, Set<String>> WHERE = new ConcurrentHashMap<>();

    static java.util.concurrent.CountDownLatch gate(String tag) {
        return GATES.computeIfAbsent(tag, t -> new java.util.concurrent.CountDownLatch(1));
    }

    static List<String> seen(String tag) {
        return SEEN.computeIfAbsent(tag, t -> new CopyOnWriteArrayList<>());
    }

    static List<String> events(String prefix) {
        List<String> out = new ArrayList<>();
        for (String e : EVENTS) {
            if (e.startsWith(prefix + ":")) {
                out.add(e.substring(prefix.length() + 1));
            }
        }
        return out;
    }

    /**
     * {@code (probe,tag=T[,failtryex][,failopen][,failclose][,classify=N])}: records tryex/new/open/close
     * events, fails where told to, classifies every block as N (default 1) and records it.
     */
    public static final class Probe implements StageType {
        @Override
        public String name() {
            return "probe";
        }

        @Override
        public String info() {
            return "test: records its lifecycle";
        }

        @Override
        public Set<Role> roles() {
            return Set.of(Role.SOURCE, Role.STAGE);
        }

        @Override
        public void cleanup() {
            EVENTS.add("class:cleanup");
        }

        @Override
        public void tryex(StageOptions o, Role role) {
            o.allowOnly("tag", "failtryex", "failopen", "failclose", "classify", "count");
            EVENTS.add(o.require("tag") + ":tryex");
            if (o.flag("failtryex")) {
                throw new IllegalArgumentException("refused by failtryex");
            }
            o.integer("classify", 1, 0, 65535);
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            String tag = o.require("tag");
            int c = (int) o.integer("classify", 1, 0, 65535);
            EVENTS.add(tag + ":new");
            if (role == Role.SOURCE) {
                long count = o.integer("count", 0, 0, Long.MAX_VALUE);
                return new ProbeSource(tag, o.flag("failopen"), o.flag("failclose"), count);
            }
            return new ProbeStage(tag, o.flag("failopen"), o.flag("failclose"), c);
        }
    }

    static class ProbeStage implements Stage {
        final String tag;
        final boolean failOpen;
        final boolean failClose;
        final int classification;

        ProbeStage(String tag, boolean failOpen, boolean failClose, int classification) {
            this.tag = tag;
            this.failOpen = failOpen;
            this.failClose = failClose;
            this.classification = classification;
        }

        @Override
        public void open(StageContext ctx) throws Exception {
            EVENTS.add(tag + ":open");
            if (failOpen) {
                throw new java.io.IOException("refused by failopen");
            }
        }

        @Override
        public int process(Block block) {
            seen(tag).add(block.toString(StandardCharsets.UTF_8));
            return classification;
        }

        @Override
        public void endOfInput() {
            SEEN_AT_END.put(tag, seen(tag).size());
            EVENTS.add(tag + ":end");
        }

        @Override
        public void close() {
            EVENTS.add(tag + ":close");
            if (failClose) {
                throw new IllegalStateException("refused by failclose");
            }
        }
    }

    /** As a source: emits "TAG-1" ... "TAG-count" then ends. */
    static final class ProbeSource extends ProbeStage implements SourceStage {
        private final long count;

        ProbeSource(String tag, boolean failOpen, boolean failClose, long count) {
            super(tag, failOpen, failClose, 1);
            this.count = count;
        }

        @Override
        public void run(Output out) throws InterruptedException {
            EVENTS.add(tag + ":run");
            for (long i = 1; i <= count; i++) {
                byte[] b = (tag + "-" + i).getBytes(StandardCharsets.UTF_8);
                out.emit(b, 0, b.length);
            }
        }

        @Override
        public int process(Block block) {
            return SourceStage.super.process(block);
        }
    }

    /** {@code (upper)}: upper-cases ASCII letters in place. */
    public static final class Upper implements StageType {
        @Override
        public String name() {
            return "upper";
        }

        @Override
        public String info() {
            return "test: upper-cases the block in place";
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            return b -> {
                byte[] a = b.edit();
                for (int i = b.offset(); i < b.offset() + b.length(); i++) {
                    if (a[i] >= 'a' && a[i] <= 'z') {
                        a[i] = (byte) (a[i] - 32);
                    }
                }
                return 1;
            };
        }
    }

    /** {@code (suffix,text=X)}: replaces the block by the block followed by X (a replacement). */
    public static final class Suffix implements StageType {
        @Override
        public String name() {
            return "suffix";
        }

        @Override
        public String info() {
            return "test: replaces the block by block + text";
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            byte[] text = o.require("text").getBytes(StandardCharsets.UTF_8);
            return new Stage() {
                private byte[] out = new byte[16];

                @Override
                public int process(Block b) {
                    int n = b.length() + text.length;
                    if (out.length < n) {
                        out = new byte[n];
                    }
                    System.arraycopy(b.array(), b.offset(), out, 0, b.length());
                    System.arraycopy(text, 0, out, b.length(), text.length);
                    b.replace(out, 0, n);
                    return 1;
                }
            };
        }
    }

    /** {@code (record,tag=T)}: records every block it sees, passes it (1). */
    public static final class Recorder implements StageType {
        @Override
        public String name() {
            return "record";
        }

        @Override
        public String info() {
            return "test: records the blocks it sees";
        }

        @Override
        public void tryex(StageOptions o, Role role) {
            o.allowOnly("tag");
            o.require("tag");
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            String tag = o.require("tag");
            return b -> {
                seen(tag).add(b.toString(StandardCharsets.UTF_8));
                return 1;
            };
        }
    }

    /** {@code (gate,tag=T)}: every block waits for the latch {@link #gate(String)} of T, then passes. */
    public static final class Gate implements StageType {
        @Override
        public String name() {
            return "gate";
        }

        @Override
        public String info() {
            return "test: holds blocks until its latch opens";
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            java.util.concurrent.CountDownLatch latch = gate(o.require("tag"));
            return b -> {
                latch.await();
                seen(o.require("tag")).add(b.toString(StandardCharsets.UTF_8));
                return 1;
            };
        }
    }

    /** {@code (where,tag=T)}: records the name of the tasklet calling it. */
    public static final class Where implements StageType {
        @Override
        public String name() {
            return "where";
        }

        @Override
        public String info() {
            return "test: records which tasklet calls it";
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            Set<String> names = WHERE.computeIfAbsent(o.require("tag"), t -> ConcurrentHashMap.newKeySet());
            return b -> {
                names.add(dev.warren.tasklets.Tasklets.current()
                        .map(dev.warren.tasklets.Tasklet::name)
                        .orElse("?"));
                return 1;
            };
        }
    }

    /** {@code (brokeninit)}: its class init fails, so it is never registered. */
    public static final class BrokenInit implements StageType {
        @Override
        public String name() {
            return "brokeninit";
        }

        @Override
        public String info() {
            return "test: init fails";
        }

        @Override
        public void init() {
            throw new IllegalStateException("no such device");
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            return b -> 1;
        }
    }

    /**
     * {@code (later,tag=T)}: drops every block in process and re-emits it upper-cased from a tasklet of its
     * own through an async output (Streamline's out-of-order rewriting).
     */
    public static final class Later implements StageType {
        @Override
        public String name() {
            return "later";
        }

        @Override
        public String info() {
            return "test: re-emits blocks from its own tasklet";
        }

        @Override
        public Stage newStage(StageOptions o, Role role) {
            return new Stage() {
                private final dev.warren.tasklets.Channel<byte[]> queue = dev.warren.tasklets.Channel.bounded(1024);
                private dev.warren.tasklets.Tasklet<Void> worker;

                @Override
                public void open(StageContext ctx) {
                    AsyncOutput out = ctx.asyncOutput();
                    worker = ctx.fork("later", () -> {
                        try {
                            for (; ; ) {
                                byte[] b = queue.receive();
                                out.emit(b, 0, b.length, 1);
                            }
                        } catch (dev.warren.tasklets.ChannelClosedException end) {
                            out.end(); // drained: the stages after this one may end now
                        }
                    });
                }

                @Override
                public int process(Block b) throws InterruptedException {
                    queue.send(b.toString(StandardCharsets.UTF_8)
                            .toUpperCase(java.util.Locale.ROOT)
                            .getBytes(StandardCharsets.UTF_8));
                    return 0;
                }

                @Override
                public void endOfInput() {
                    queue.close(); // the worker drains the queue, then closes its output
                }

                @Override
                public void close() throws InterruptedException {
                    queue.close();
                    worker.cancel();
                }
            };
        }
    }
}
