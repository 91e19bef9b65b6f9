package dev.warren.streaming.datapath;

/**
 * A datapath that could not start although its request was valid: a stage failed to open (the port is
 * taken, the file is missing). Every stage opened before it was closed again, the failed one too, in the
 * reverse order. The cause is the stage's exception.
 */
public final class DatapathException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int stage;

    DatapathException(String message, int stage, Throwable cause) {
        super(message, cause);
        this.stage = stage;
    }

    /** The index of the stage that failed to open (from 0, in request order). */
    public int stage() {
        return stage;
    }
}
