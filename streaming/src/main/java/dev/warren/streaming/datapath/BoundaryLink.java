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

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle CONSUMER_PARKED;
    private static final VarHandle PRODUCER_PARKED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(BoundaryLink.class, "head", long.class);
            TAIL = l.findVarHandle(BoundaryLink.class, "tail", long.class);
            CONSUMER_PARKED = l.findVarHandle(BoundaryLink.class, "consumerParked", boolean.class);
            PRODUCER_PARKED = l.findVarHandle(BoundaryLink.class, "producerParked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Node node;
    final int capacity;
    final String policy;
    private Channel<Slot> data;
    private Channel<Slot> free;
    private final Block block = new Block();

    // ---- the ring (block and drop_newest)
    private Slot[] ring;
    private int mask;
    /** The next sequence the producer writes; written by the producer, read by the consumer. */
    private volatile long head;
    /** The next sequence the consumer reads; written by the consumer, read by the producer. */
    private volatile long tail;
    /** The producer's last look at {@link #tail}: it reads the volatile only when this says full. */
    private long tailCache;
    /** Set by the producer after the last block: the consumer ends once it has taken every block. */
    private volatile boolean ended;

    private volatile boolean consumerParked;
    private volatile boolean producerParked;
    private volatile Thread consumer;
    private volatile Thread producer;

    BoundaryLink(Node node, int capacity, String policy) {
        this.node = node;
        this.capacity = capacity;
        this.policy = policy;
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
        long h = head;
        if (h - tailCache >= capacity) {
            tailCache = tail;
            if (h - tailCache >= capacity) {
                if (policy.equals("drop_newest")) {
                    node.countDropped();
                    return;
                }
                awaitRoom(h);
            }
        }
        ring[(int) h & mask].fill(b, classification);
        HEAD.setVolatile(this, h + 1); // volatile: ordered before the look at consumerParked (no lost wake-up)
        if ((boolean) CONSUMER_PARKED.getVolatile(this)) {
            wakeConsumer();
        }
    }

    private void wakeConsumer() {
        if (CONSUMER_PARKED.compareAndSet(this, true, false)) {
            LockSupport.unpark(consumer);
        }
    }

    /** The ring is full: parks until the consumer has drained it to half (it wakes this producer then). */
    private void awaitRoom(long h) throws InterruptedException {
        producer = Thread.currentThread();
        for (; ; ) {
            PRODUCER_PARKED.setVolatile(this, true);
            tailCache = tail;
            if (h - tailCache < capacity) {
                PRODUCER_PARKED.setVolatile(this, false);
                return;
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                PRODUCER_PARKED.setVolatile(this, false);
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
            if ((boolean) CONSUMER_PARKED.getVolatile(this)) {
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
        long t = tail;
        for (; ; ) {
            long h = head;
            if (t == h) {
                if (ended && t == head) {
                    dp.endOutputs(node, r, budget);
                    return;
                }
                awaitBlocks(t);
                budget.waited();
                continue;
            }
            for (; t < h; t++) {
                push(dp, r, budget, ring[(int) t & mask]);
                TAIL.setVolatile(this, t + 1); // volatile: ordered before the look at producerParked
                if ((boolean) PRODUCER_PARKED.getVolatile(this) && head - (t + 1) <= capacity / 2) {
                    if (PRODUCER_PARKED.compareAndSet(this, true, false)) {
                        LockSupport.unpark(producer);
                    }
                }
            }
        }
    }

    /** The ring is empty: parks until the producer publishes a block or ends. */
    private void awaitBlocks(long t) throws InterruptedException {
        CONSUMER_PARKED.setVolatile(this, true);
        if (head != t || ended) {
            CONSUMER_PARKED.setVolatile(this, false);
            return;
        }
        LockSupport.park(this);
        CONSUMER_PARKED.setVolatile(this, false);
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
            return (int) Math.max(0, head - tail);
        }
        Channel<Slot> d = data;
        return d == null ? 0 : d.size();
    }
}
