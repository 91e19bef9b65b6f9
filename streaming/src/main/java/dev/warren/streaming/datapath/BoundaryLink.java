package dev.warren.streaming.datapath;

import dev.warren.tasklets.Channel;
import dev.warren.tasklets.Fairness;

/**
 * The queue and tasklet of a {@code (boundary)}: the stage before it copies each block into a slot from
 * a fixed pool and sends it on a bounded {@link Channel}; the boundary's tasklet receives it, pushes it
 * through the stages after it, and returns the slot. The pool holds {@code capacity} slots whose arrays
 * grow to the largest block seen, so a steady stream allocates nothing.
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
    }

    private static final Slot END = new Slot(0);

    final Node node;
    final int capacity;
    final String policy;
    private Channel<Slot> data;
    private Channel<Slot> free;
    private final Block block = new Block();

    BoundaryLink(Node node, int capacity, String policy) {
        this.node = node;
        this.capacity = capacity;
        this.policy = policy;
    }

    /** Builds the channels; called once by the control tasklet before any driver starts. */
    void start(long datapathId) {
        String base = "datapath " + datapathId + " boundary " + node.index;
        Channel.Builder<Slot> db = Channel.<Slot>builder(capacity + 1).name(base);
        if (!policy.equals("drop_oldest")) {
            db.singleConsumer(); // the boundary's tasklet is the only receiver
        }
        data = db.build();
        free = Channel.<Slot>builder(capacity).name(base + " free").build();
        for (int i = 0; i < capacity; i++) {
            free.offer(new Slot(256));
        }
    }

    /** The producer's side: on the tasklet pushing into the boundary. */
    void offer(Block b, int classification) throws InterruptedException {
        node.countIn(b.length);
        Slot s = free.poll();
        if (s == null) {
            switch (policy) {
                case "drop_newest" -> {
                    node.countDropped();
                    return;
                }
                case "drop_oldest" -> {
                    s = data.poll();
                    if (s == null) {
                        s = take();
                    } else {
                        node.countDropped();
                    }
                }
                default -> s = take();
            }
        }
        int len = b.length;
        if (s.bytes.length < len) {
            s.bytes = new byte[Math.max(len, s.bytes.length * 2)];
        }
        System.arraycopy(b.array, b.offset, s.bytes, 0, len);
        s.length = len;
        s.classification = classification;
        data.send(s);
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
        data.send(END);
    }

    /** The boundary's tasklet: pushes every queued block through the stages after it. */
    void run(DatapathImpl dp) throws InterruptedException {
        Region r = node.outRegion;
        Fairness.Budget budget = Fairness.budget();
        for (; ; ) {
            Slot s = data.receive();
            if (s == END) {
                dp.endOutputs(node, r, budget);
                return;
            }
            if (r.locked) {
                r.lock.lockInterruptibly();
                try {
                    push(dp, r, budget, s);
                } finally {
                    r.lock.unlock();
                }
            } else {
                push(dp, r, budget, s);
            }
            free.offer(s);
        }
    }

    private void push(DatapathImpl dp, Region r, Fairness.Budget budget, Slot s) throws InterruptedException {
        r.budget = budget;
        block.set(s.bytes, 0, s.length);
        node.countOut(s.classification);
        dp.forward(node, block, s.classification);
    }

    int queued() {
        Channel<Slot> d = data;
        return d == null ? 0 : d.size();
    }
}
