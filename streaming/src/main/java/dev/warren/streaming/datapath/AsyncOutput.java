package dev.warren.streaming.datapath;

/**
 * The {@link Output} a stage gets from {@link StageContext#asyncOutput()} for a tasklet of its own. The
 * stages after it get their {@link Stage#endOfInput()} only once the stage's inputs have ended
 * <em>and</em> every one of its async outputs has {@linkplain #end() ended}, so the blocks emitted late still come before
 * the end: end it when the tasklet will emit no more (typically after the stage's own
 * {@code endOfInput} told it to finish).
 */
public interface AsyncOutput extends Output {

    /**
     * No more blocks from this output; when it is the last open one and the stage's inputs have ended, the
     * end goes on to the stages after it (on the calling tasklet). Idempotent.
     */
    void end() throws InterruptedException;
}
