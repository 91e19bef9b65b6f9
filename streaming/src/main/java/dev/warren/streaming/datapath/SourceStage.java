package dev.warren.streaming.datapath;

/**
 * A stage that starts a datapath: it reads something (a socket, a file, a timer) and pushes blocks
 * into the graph. Streamline's input functions.
 *
 * <p><b>Threading.</b> {@link #run} is called once, on a tasklet of its own in the datapath's scope,
 * after every stage of the datapath was opened. Each block it emits goes through the whole chain after
 * it before {@link Output#emit} returns (up to a {@code boundary}). A source that reads on several
 * tasklets (one per connection) must emit through one {@link Output} per tasklet or serialize its
 * emits; {@code tcpsock} takes a lock per read.
 *
 * <p><b>Ending.</b> {@code run} returns at the end of its input, which the stages after it learn from
 * {@link Stage#endOfInput()}. When the datapath closes, {@link #stop()} is called from the control
 * tasklet, then the source's tasklet is interrupted; {@code run} should return promptly (blocks it has
 * already read still go through the graph).
 */
public interface SourceStage extends Stage {

    /** Reads the input and pushes every block into {@code out}; on the source's own tasklet. */
    void run(Output out) throws Exception;

    /** Unblocks {@link #run} at close (close a socket, count down a latch); from the control tasklet. */
    default void stop() {}

    /** A source is never given blocks. */
    @Override
    default int process(Block block) {
        throw new UnsupportedOperationException("a source is not given blocks");
    }
}
