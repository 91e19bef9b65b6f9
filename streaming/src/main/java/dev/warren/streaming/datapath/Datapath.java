package dev.warren.streaming.datapath;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A running datapath, the handle {@link Datapaths#insert} returns (Streamline's request id).
 *
 * <p><b>Ownership.</b> A datapath is a control tasklet {@code datapath N} in the runtime's root scope. It
 * opens the stages (so what they start, a TCP server say, belongs to it), then owns a scope of the same
 * name holding a tasklet per source, one per boundary and those the stages fork. Nothing of it is alive
 * after {@link #close()} returns.
 *
 * <p><b>Threading.</b> Every method may be called from any thread; {@link #close()} and
 * {@link #awaitDone} block, the others return at once. Do not close a datapath from one of its own
 * stages (it would wait for itself).
 *
 * <p><b>Closing</b> (Streamline's {@code streamline_request_remove}): stops every source
 * ({@link SourceStage#stop()}, then an interrupt after 5 s), lets the blocks already read go through
 * the graph (boundaries drain, every stage gets {@link Stage#endOfInput()}), closes every stage in the
 * reverse order of the request, ends the exported streams (their readers read what is left, then the
 * end) and closes the scope. Idempotent.
 */
public interface Datapath extends AutoCloseable {

    /** Where a datapath is in its life. */
    enum State {
        /** Its stages are open and its sources run (or have ended). */
        RUNNING,
        /** {@link #close()} is stopping it. */
        CLOSING,
        /** Every stage is closed. */
        CLOSED
    }

    /** Its id, unique in the process, from 1. */
    long id();

    /** The request it was built from. */
    String request();

    /** Its state now. */
    State state();

    /** Every stage's counters now, in request order. */
    List<StageStats> stats();

    /** The names of the streams it exports. */
    List<String> exports();

    /** The graph with live counts as Graphviz DOT (Streamline's {@code streamline_request_plot}). */
    String dot();

    /** Its part of the {@code datapaths} report: request, state, stages, streams (a JSON-ready tree). */
    Map<String, Object> report();

    /**
     * Waits until every source has ended and every block they emitted has gone through the graph (every
     * stage got its {@link Stage#endOfInput()}), at most {@code timeout}.
     *
     * @return true if it is done
     */
    boolean awaitDone(Duration timeout) throws InterruptedException;

    /** Whether every source has ended and everything has gone through. */
    boolean isDone();

    /** Stops and removes the datapath; see the class comment. */
    @Override
    void close();
}
