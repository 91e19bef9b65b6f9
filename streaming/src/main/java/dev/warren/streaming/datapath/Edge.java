package dev.warren.streaming.datapath;

/** An edge of the graph: blocks whose classification is in {@link #range} go on to {@link #to}. */
final class Edge {
    final Node to;
    final Range range;
    /** A copy of the range's single interval, for the common case (one compare pair per block). */
    private final int lo;

    private final int hi;
    private final boolean single;

    Edge(Node to, Range range) {
        this.to = to;
        this.range = range;
        this.lo = range.lo;
        this.hi = range.hi;
        this.single = range.single;
    }

    boolean accepts(int classification) {
        return single ? classification >= lo && classification <= hi : range.contains(classification);
    }
}
