package dev.warren.streaming.datapath;

import java.util.Map;

/**
 * One stage of a running datapath: an instance of a {@link StageType} with its own state.
 *
 * <p><b>Where it runs.</b> {@link #open} and {@link #close} run on the datapath's control tasklet.
 * {@link #process} runs on the tasklet that pushes the block: the source's, or the tasklet behind a
 * {@code (boundary)}; a chain of stages after a source runs to completion there, one method call per
 * stage and no queue. The runtime never calls one stage from two tasklets at once (several tasklets
 * that feed one chain take turns under a lock), and whatever a call did happens-before the next call,
 * so a stage keeps its state in plain fields.
 *
 * <p><b>Classification.</b> {@code process} returns a classification: 0 drops the block, anything
 * else is passed to the stages whose edge accepts it ({@code >} alone accepts anything but 0,
 * {@code >[2]} only 2, {@code >>} routes n to the n-th branch). Only the lower 16 bits count.
 *
 * <p><b>More blocks, or later.</b> A stage may emit blocks of its own during {@code process} or
 * {@link #endOfInput} ({@link StageContext#emit}; the one it was given usually returns 0 then, as
 * {@code lines} does), and from a tasklet of its own through {@link StageContext#asyncOutput()}
 * (Streamline's out-of-order rewriting).
 *
 * <p><b>Errors.</b> An exception from {@code process} counts as an error of this stage and drops the
 * block (logged, at most once per 10 s per stage); the datapath goes on. An exception from
 * {@code open} fails the request; {@code close} is still called.
 */
@FunctionalInterface
public interface Stage {

    /**
     * Streamline's newex: acquire what the stage needs (open a socket, a file; start a tasklet with
     * {@link StageContext#fork}). Keep {@code ctx} to emit later.
     */
    default void open(StageContext ctx) throws Exception {}

    /** Looks at, edits or replaces {@code block} (see {@link Block}) and classifies it; 0 drops it. */
    int process(Block block) throws Exception;

    /**
     * Called once, on the tasklet of the last input to end, when every input of this stage has ended (its
     * sources reached the end of their input, or the datapath is closing and they were stopped): a stage
     * that holds data back (a partial line) emits it here with {@link StageContext#emit}.
     */
    default void endOfInput() throws Exception {}

    /**
     * Streamline's delex: release what {@link #open} acquired. Called even when {@code open} failed
     * (possibly half-way), so check what was acquired. No block is pushed through the datapath any more.
     */
    default void close() throws Exception {}

    /**
     * Stage-local state for the application and the {@code datapaths} report: a small JSON-ready map
     * (strings, numbers, booleans). Called from any thread at any time: read fields that are safe to
     * read so (volatile or opaque).
     */
    default Map<String, Object> state() {
        return Map.of();
    }
}
