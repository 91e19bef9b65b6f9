package dev.warren.streaming.datapath;

import dev.warren.tasklets.CheckedRunnable;
import dev.warren.tasklets.Tasklet;

/**
 * What the runtime gives a stage in {@link Stage#open}: who it is, and the ways to emit blocks and
 * start tasklets.
 *
 * <p><b>Threading.</b> {@link #emit} only on the tasklet that is calling the stage's {@code process} or
 * {@code endOfInput}, during that call; {@link #asyncOutput()} only during {@code open}; the rest from
 * any thread.
 */
public interface StageContext {

    /** The datapath's id. */
    long datapathId();

    /** The stage's place in the request, from 0 in the order the stages are written. */
    int index();

    /** The stage's name in the request ({@code name=...}), or its type's name. */
    String label();

    /** The stage's options. */
    StageOptions options();

    /**
     * During {@code process} or {@code endOfInput}: pushes a block to the stages after it, at once, before
     * the call returns. The bytes may be the input block's or the stage's own; the stages after it never
     * change them (an edit copies them first).
     *
     * @throws IllegalStateException when not called from inside {@code process} or {@code endOfInput}
     */
    void emit(byte[] bytes, int offset, int length, int classification) throws InterruptedException;

    /**
     * An output into the stages after this one, for a tasklet of the stage's own (blocks emitted later or
     * out of order, Streamline's TCP reassembly); {@linkplain AsyncOutput#end() end} it when that tasklet is done (see
     * {@link AsyncOutput}). Only during {@code open}: the runtime decides then how the tasklets feeding a
     * chain take turns.
     *
     * @throws IllegalStateException after {@code open}
     */
    AsyncOutput asyncOutput();

    /**
     * Starts a tasklet in the datapath's scope (shown under it in the registry). The stage stops it in
     * {@code close}; the datapath cancels whatever is left when it ends.
     */
    Tasklet<Void> fork(String name, CheckedRunnable task);
}
