package dev.warren.streaming.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage of a datapath with its edges and counters. The counters are written by the tasklet
 * calling the stage (one at a time, see {@link Region}) with opaque stores, so that a reader on another
 * thread (a report) sees them move without the writer paying for a fence.
 */
final class Node {
    static final int CLASSES = 64;
    private static final VarHandle IN;
    private static final VarHandle BYTES;
    private static final VarHandle ERRORS;
    private static final VarHandle TIME;
    private static final VarHandle UNROUTED;
    private static final VarHandle DROPPED;
    private static final VarHandle EMITTED;
    private static final VarHandle OUT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IN = l.findVarHandle(Node.class, "in", long.class);
            BYTES = l.findVarHandle(Node.class, "bytes", long.class);
            ERRORS = l.findVarHandle(Node.class, "errors", long.class);
            TIME = l.findVarHandle(Node.class, "timeNanos", long.class);
            UNROUTED = l.findVarHandle(Node.class, "unrouted", long.class);
            DROPPED = l.findVarHandle(Node.class, "dropped", long.class);
            EMITTED = l.findVarHandle(Node.class, "emitted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    final Ast.StageRef ref;
    // Set by the GraphBuilder before the datapath starts; the control tasklet's start publishes them.
    StageType type;
    Role role;
    StageOptions options;
    String label;
    /** The exported stream's name, or null. */
    String exportName;

    long ringBytes;

    Edge[] out = new Edge[0];
    /** Incoming edges. */
    int inputs;

    Region region;
    /** Where this node's output goes: its own region, or for a boundary the region behind it. */
    Region outRegion;

    Stage stage;
    StageContextImpl ctx;
    ExportRing export;
    /** Non-null for a boundary. */
    BoundaryLink link;

    /** Inputs that have not ended yet; written under the region's discipline. */
    int endsPending;

    volatile boolean ended;
    /** Async outputs not closed yet; the node's end waits for them (under the region's discipline). */
    int openOutputs;
    /** Every input has ended and endOfInput was called. */
    boolean inputsEnded;
    /** True while the stage's process or endOfInput runs (emit is allowed then). */
    boolean calling;

    final Block emitBlock = new Block();
    private byte[] scratch;

    long in;
    long bytes;
    long errors;
    long timeNanos;
    long unrouted;
    long dropped;
    long emitted;
    /** Blocks out per classification 0..63; the last slot counts every larger one. */
    final long[] outByClass = new long[CLASSES + 1];

    Node(int index, Ast.StageRef ref) {
        this.index = index;
        this.ref = ref;
    }

    void addEdge(Node to, Range range) {
        Edge[] e = java.util.Arrays.copyOf(out, out.length + 1);
        e[out.length] = new Edge(to, range);
        out = e;
        to.inputs++;
    }

    byte[] scratch(int length) {
        byte[] s = scratch;
        if (s == null || s.length < length) {
            s = new byte[Math.max(length, s == null ? 256 : s.length * 2)];
            scratch = s;
        }
        return s;
    }

    void countIn(int length) {
        IN.setOpaque(this, in + 1);
        BYTES.setOpaque(this, bytes + length);
    }

    void countOut(int classification) {
        int slot = classification < CLASSES ? classification : CLASSES;
        OUT.setOpaque(outByClass, slot, outByClass[slot] + 1);
    }

    void countEmitted() {
        EMITTED.setOpaque(this, emitted + 1);
    }

    void countError() {
        ERRORS.setOpaque(this, errors + 1);
    }

    void countUnrouted() {
        UNROUTED.setOpaque(this, unrouted + 1);
    }

    void countDropped() {
        DROPPED.setOpaque(this, dropped + 1);
    }

    void addTime(long nanos) {
        TIME.setOpaque(this, timeNanos + nanos);
    }

    long inCount() {
        return (long) IN.getOpaque(this);
    }

    /** A snapshot of the counters, for any thread. */
    StageStats stats() {
        Map<Integer, Long> byClass = new LinkedHashMap<>();
        long outTotal = 0;
        for (int c = 0; c <= CLASSES; c++) {
            long n = (long) OUT.getOpaque(outByClass, c);
            if (n != 0) {
                byClass.put(c == CLASSES ? CLASSES : c, n);
                outTotal += n;
            }
        }
        Map<String, Object> state;
        try {
            Stage s = stage;
            state = s == null ? Map.of() : s.state();
        } catch (RuntimeException e) {
            state = Map.of("error", e.toString());
        }
        return new StageStats(
                index,
                type.name(),
                label,
                role,
                (long) IN.getOpaque(this),
                (long) BYTES.getOpaque(this),
                Map.copyOf(byClass),
                outTotal,
                byClass.getOrDefault(0, 0L) + (long) DROPPED.getOpaque(this),
                (long) UNROUTED.getOpaque(this),
                (long) EMITTED.getOpaque(this),
                (long) ERRORS.getOpaque(this),
                (long) TIME.getOpaque(this),
                ended,
                state == null ? Map.of() : state);
    }
}
