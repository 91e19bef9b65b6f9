package dev.warren.streaming.datapath;

/** The place a stage takes in a datapath, decided by the request: with no input it is a source. */
public enum Role {
    /**
     * No input: the stage pushes blocks into the graph from its own tasklet ({@link SourceStage#run}).
     * Streamline's input functions.
     */
    SOURCE,
    /** Has input: {@link Stage#process} is called for every block that reaches it. */
    STAGE
}
