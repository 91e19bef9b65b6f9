package dev.warren.streaming.datapath;

import dev.warren.tasklets.Channel;
import dev.warren.tasklets.Fairness;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue and tasklet of a {@code (boundary)}: the stage before it copies each block into a slot of a
 * ring of {@code capacity} slots; the boundary's tasklet pushes the queued blocks through the stages
 * after it. The slots' arrays grow to the largest block seen, so a steady stream allocates nothing.
 *
 * <p><b>The ring</b> has one producer at a time (every push into a boundary comes from its input region,
 * which has one driver or is locked, see {@link Region}) and one consumer (the boundary's tasklet), so
 * it is a single-producer single-consumer array with a sequence per side, as JCTools' {@code
 * SpscArrayQueue}: a block costs a copy and two ordered stores, no lock. Waits are rare by design: the
 * consumer parks only when the ring is empty, and a producer that finds it full parks until the consumer
 * has drained it to half, so a fast source and a slow consumer wake each other once per half ring, not
 * once per block. ({@code drop_oldest} takes slots back from the consumer's end, which a single-consumer
 * ring cannot allow: that policy keeps a pool of slots handed over a {@link Channel}.)
 *
 * <p><b>Policies</b> when every slot is queued: {@code block} waits for one (the source slows down to the
 * pace of the stages after the boundary); {@code drop_newest} drops the new block; {@code drop_oldest}
 * takes back the oldest queued one. Drops are counted on the boundary ({@link StageStats#dropped()}).
 * The end of the input travels as a last message after every block.
 */
final class BoundaryLink {
    /** A slot carrying a block; the last message is {@link #END}. */
    static final class Slot {
        byte[] bytes;
        int length;
        int classification;

        Slot(int size) {
            this.bytes = new byte[size];
        }

        /** Copies {@code b} in, growing the array to the largest block seen. */
        void fill(Block b, int classification) {
            int len = b.length;
            if (bytes.length < len) {
                bytes = new byte[Math.max(len, bytes.length * 2)];
            }
            System.arraycopy(b.array, b.offset, bytes, 0, len);
            length = len;
            this.classification = classification;
        }
    }

    private static final Slot END = new Slot(0);

    /**
     * The two sequences and the two parked flags, each on a cache line of its own (128 bytes apart, past
     * the adjacent-line prefetcher) in one array: the producer writes {@code head} and the consumer {@code
     * tail} once per block, and sharing a line would make every block a cache-line ping-pong between the
     * two cores (JCTools pads its queues for the same reason).
     */
    private final long[] seq = new long[5 * 16];

    private static final int HEAD = 16;
    private static final int TAIL = 32;
    private static final int CONSUMER_PARKED = 48;
    private static final int PRODUCER_PARKED = 64;
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);

    final Node node;
    final int capacity;
    final String policy;
    private Channel<Slot> data;
    private Channel<Slot> free;
    private final Block block = new Block();

    // ---- the ring (block and drop_newest)
    private Slot[] ring;
    private int mask;
    /** The producer's last look at the consumer's sequence: it reads the real one only when this says full. */
    private long tailCache;
    /** Set by the producer after the last block: the consumer ends once it has taken every block. */
    private volatile boolean ended;

    private volatile Thread consumer;
    private volatile Thread producer;

    BoundaryLink(Node node, int capacity, String policy) {
        this.node = node;
        this.capacity = capacity;
        this.policy = policy;
    }

    /** The next sequence the producer writes; written by the producer, read by the consumer. */
    private long head() {
        return (long) SEQ.getVolatile(seq, HEAD);
    }

    /** The next sequence the consumer reads; written by the consumer, read by the producer. */
    private long tail() {
        return (long) SEQ.getVolatile(seq, TAIL);
    }

    private boolean parked(int which) {
        return (long) SEQ.getVolatile(seq, which) != 0;
    }

    private void parked(int which, boolean on) {
        SEQ.setVolatile(seq, which, on ? 1L : 0L);
    }

    /** Clears a parked flag if it was set; true if this call cleared it (and so must unpark). */
    private boolean unparkClaim(int which) {
        return SEQ.compareAndSet(seq, which, 1L, 0L);
    }

    /** Builds the ring or the channels; called once by the control tasklet before any driver starts. */
    void start(long datapathId) {
        if (!policy.equals("drop_oldest")) {
            int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
            ring = new Slot[Math.max(size, 1)];
            for (int i = 0; i < ring.length; i++) {
                ring[i] = new Slot(256);
            }
            mask = ring.length - 1;
            return;
        }
        String base = "datapath " + datapathId + " boundary " + node.index;
        // drop_oldest: the producer takes queued slots back, so the data channel has two receivers
        data = Channel.<Slot>builder(capacity + 1).name(base).build();
        free = Channel.<Slot>builder(capacity).name(base + " free").build();
        for (int i = 0; i < capacity; i++) {
            free.offer(new Slot(256));
        }
    }

    /** The producer's side: on the tasklet pushing into the boundary. */
    void offer(Block b, int classification) throws InterruptedException {
        node.countIn(b.length);
        if (ring != null) {
            offerRing(b, classification);
            return;
        }
        Slot s = free.poll();
        if (s == null) {
            s = data.poll(); // drop_oldest: the oldest queued block makes room
            if (s == null) {
                s = take();
            } else {
                node.countDropped();
            }
        }
        s.fill(b, classification);
        data.send(s);
    }

    private void offerRing(Block b, int classification) throws InterruptedException {
        long h = (long) SEQ.getOpaque(seq, HEAD); // the producer's own
        if (h - tailCache >= capacity) {
            tailCache = tail();
            if (h - tailCache >= capacity) {
                if (policy.equals("drop_newest")) {
                    node.countDropped();
                    return;
                }
                awaitRoom(h);
            }
        }
        ring[(int) h & mask].fill(b, classification);
        SEQ.setVolatile(seq, HEAD, h + 1); // volatile: ordered before the look at the parked flag (no lost wake-up)
        if (parked(CONSUMER_PARKED)) {
            wakeConsumer();
        }
    }

    private void wakeConsumer() {
        if (unparkClaim(CONSUMER_PARKED)) {
            LockSupport.unpark(consumer);
        }
    }

    /** The ring is full: parks until the consumer has drained it to half (it wakes this producer then). */
    private void awaitRoom(long h) throws InterruptedException {
        producer = Thread.currentThread();
        for (; ; ) {
            parked(PRODUCER_PARKED, true);
            tailCache = tail();
            if (h - tailCache < capacity) {
                parked(PRODUCER_PARKED, false);
                return;
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                parked(PRODUCER_PARKED, false);
                node.countDropped(); // the datapath is closing: this block goes nowhere
                throw new InterruptedException("datapath closing while a block waited for room in a boundary");
            }
        }
    }

    /** Waits for a free slot; a block whose wait is interrupted (the datapath is closing) is counted as dropped. */
    private Slot take() throws InterruptedException {
        try {
            return free.receive();
        } catch (InterruptedException e) {
            node.countDropped();
            throw e;
        }
    }

    /** Every input has ended: the tasklet ends after the blocks already queued. */
    void end() throws InterruptedException {
        if (ring != null) {
            ended = true;
            if (parked(CONSUMER_PARKED)) {
                wakeConsumer();
            }
            return;
        }
        data.send(END);
    }

    /** The boundary's tasklet: pushes every queued block through the stages after it. */
    void run(DatapathImpl dp) throws InterruptedException {
        if (ring != null) {
            runRing(dp);
            return;
        }
        Region r = node.outRegion;
        Fairness.Budget budget = Fairness.budget();
        for (; ; ) {
            Slot s = data.receive();
            if (s == END) {
                dp.endOutputs(node, r, budget);
                return;
            }
            push(dp, r, budget, s);
            free.offer(s);
        }
    }

    private void runRing(DatapathImpl dp) throws InterruptedException {
        consumer = Thread.currentThread();
        Region r = node.outRegion;
        Fairness.Budget budget = Fairness.budget();
        long t = (long) SEQ.getOpaque(seq, TAIL); // the consumer's own
        for (; ; ) {
            long h = head();
            if (t == h) {
                if (ended && t == head()) {
                    dp.endOutputs(node, r, budget);
                    return;
                }
                awaitBlocks(t);
                budget.waited();
                continue;
            }
            for (; t < h; t++) {
                push(dp, r, budget, ring[(int) t & mask]);
                SEQ.setVolatile(seq, TAIL, t + 1); // volatile: ordered before the look at the parked flag
                if (parked(PRODUCER_PARKED) && h - (t + 1) <= capacity / 2) {
                    if (unparkClaim(PRODUCER_PARKED)) {
                        LockSupport.unpark(producer);
                    }
                }
            }
        }
    }

    /** The ring is empty: parks until the producer publishes a block or ends. */
    private void awaitBlocks(long t) throws InterruptedException {
        parked(CONSUMER_PARKED, true);
        if (head() != t || ended) {
            parked(CONSUMER_PARKED, false);
            return;
        }
        LockSupport.park(this);
        parked(CONSUMER_PARKED, false);
        if (Thread.interrupted()) {
            throw new InterruptedException("datapath closing");
        }
    }

    /** Pushes one queued block through the region after the boundary, under its lock if it has one. */
    private void push(DatapathImpl dp, Region r, Fairness.Budget budget, Slot s) throws InterruptedException {
        if (!r.locked) {
            pushUnlocked(dp, r, budget, s);
            return;
        }
        r.lock.lockInterruptibly();
        try {
            pushUnlocked(dp, r, budget, s);
        } finally {
            r.lock.unlock();
        }
    }

    private void pushUnlocked(DatapathImpl dp, Region r, Fairness.Budget budget, Slot s) throws InterruptedException {
        r.budget = budget;
        block.set(s.bytes, 0, s.length);
        node.countOut(s.classification);
        dp.forward(node, block, s.classification);
    }

    int queued() {
        if (ring != null) {
            return (int) Math.max(0, head() - tail());
        }
        Channel<Slot> d = data;
        return d == null ? 0 : d.size();
    }
}
