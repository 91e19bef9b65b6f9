package dev.warren.streaming.datapath;

import dev.warren.tasklets.CheckedRunnable;
import dev.warren.tasklets.Tasklet;
import java.util.Objects;

/** A stage's view of its datapath; see {@link StageContext}. */
final class StageContextImpl implements StageContext {
    private final DatapathImpl dp;
    private final Node node;
    /** Outputs handed out by {@link #asyncOutput()}; each is one more driver of the node's region. */
    final java.util.List<DriverOutput> outputs = new java.util.ArrayList<>();

    StageContextImpl(DatapathImpl dp, Node node) {
        this.dp = dp;
        this.node = node;
    }

    @Override
    public long datapathId() {
        return dp.id;
    }

    @Override
    public int index() {
        return node.index;
    }

    @Override
    public String label() {
        return node.label;
    }

    @Override
    public StageOptions options() {
        return node.options;
    }

    @Override
    public void emit(byte[] bytes, int offset, int length, int classification) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (classification < 0 || classification > Range.MAX) {
            throw new IllegalArgumentException("classification must be 0.." + Range.MAX + ", was " + classification);
        }
        if (!node.calling) {
            throw new IllegalStateException("stage '" + node.label + "': emit() only from inside process() or"
                    + " endOfInput(); use asyncOutput() from a tasklet of the stage's own");
        }
        Block b = node.emitBlock;
        b.set(bytes, offset, length);
        b.shared = true; // the bytes may be the input block's or the stage's own: an edit after this copies them
        node.countEmitted();
        node.countOut(classification);
        node.outRegion.budget.checkpoint();
        dp.forward(node, b, classification);
    }

    @Override
    public AsyncOutput asyncOutput() {
        if (!dp.opening(Thread.currentThread())) {
            throw new IllegalStateException("stage '" + node.label + "': asyncOutput() only during open()");
        }
        DriverOutput o = new DriverOutput(dp, node, false);
        outputs.add(o);
        return o;
    }

    @Override
    public Tasklet<Void> fork(String name, CheckedRunnable task) {
        Objects.requireNonNull(name, "name");
        return dp.scope().fork("datapath " + dp.id + " " + node.label + " " + name, task);
    }
}
