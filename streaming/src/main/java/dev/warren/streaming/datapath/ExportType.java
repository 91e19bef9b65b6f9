package dev.warren.streaming.datapath;

/**
 * {@code (export,name=mybuf)}: passes every block on and writes it to the named stream; the same as the
 * {@code export} flag on any stage. The runtime does the writing.
 */
final class ExportType implements StageType {
    static final String NAME = "export";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String info() {
        return "writes every block to the exported stream name=NAME (ring=1m), and passes it on";
    }

    @Override
    public void tryex(StageOptions options, Role role) {
        options.allowOnly();
    }

    @Override
    public Stage newStage(StageOptions options, Role role) {
        return block -> 1;
    }
}
