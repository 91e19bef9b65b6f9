package dev.warren.streaming.datapath;

import dev.warren.tasklets.Fairness;
import java.util.Objects;

/**
 * The {@link Output} of a source, or of a stage's own tasklet: pushes into the node's children on the
 * calling tasklet, under the region's lock when several drivers feed the region, and counts one unit of
 * fair turns per block.
 */
final class DriverOutput implements AsyncOutput {
    private final DatapathImpl dp;
    private final Node node;
    /** Counted as the node's input too: a source's blocks are its "in". */
    private final boolean source;

    private final Block block = new Block();
    private Thread thread;
    private Fairness.Budget budget;
    volatile boolean stopped;
    private boolean closed;

    DriverOutput(DatapathImpl dp, Node node, boolean source) {
        this.dp = dp;
        this.node = node;
        this.source = source;
    }

    @Override
    public void emit(byte[] bytes, int offset, int length, int classification) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (classification < 0 || classification > Range.MAX) {
            throw new IllegalArgumentException("classification must be 0.." + Range.MAX + ", was " + classification);
        }
        if (stopped) {
            throw new IllegalStateException(
                    "datapath " + dp.id + " has stopped stage '" + node.label + "' (#" + node.index + ")");
        }
        Thread t = Thread.currentThread();
        if (t != thread) {
            thread = t;
            budget = Fairness.budget();
        }
        Region r = node.outRegion;
        if (r.locked) {
            r.lock.lockInterruptibly();
            try {
                push(r, bytes, offset, length, classification);
            } finally {
                r.lock.unlock();
            }
        } else {
            push(r, bytes, offset, length, classification);
        }
        budget.checkpoint();
    }

    @Override
    public void end() throws InterruptedException {
        if (source || closed) {
            return; // a source's input ends when its run returns
        }
        closed = true;
        dp.asyncOutputClosed(node);
    }

    private void push(Region r, byte[] bytes, int offset, int length, int classification) throws InterruptedException {
        r.budget = budget;
        block.set(bytes, offset, length);
        if (source) {
            node.countIn(length);
        } else {
            node.countEmitted();
        }
        node.countOut(classification);
        dp.forward(node, block, classification);
    }
}
