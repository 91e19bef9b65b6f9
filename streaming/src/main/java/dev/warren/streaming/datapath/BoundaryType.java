package dev.warren.streaming.datapath;

/**
 * {@code (boundary,capacity=256,policy=block)}: a bounded channel and a tasklet of its own between the
 * stage before and the stages after. The runtime implements it ({@link BoundaryLink}); this class only
 * names and checks it.
 */
final class BoundaryType implements StageType {
    static final String NAME = "boundary";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String info() {
        return "runs the stages after it on a tasklet of their own, behind a bounded queue"
                + " (capacity=256 blocks, policy=block|drop_newest|drop_oldest)";
    }

    @Override
    public void tryex(StageOptions options, Role role) {
        options.allowOnly("capacity", "policy");
        capacity(options);
        policy(options);
    }

    static int capacity(StageOptions o) {
        return (int) o.integer("capacity", 256, 1, 1 << 20);
    }

    static String policy(StageOptions o) {
        return o.choice("policy", "block", "block", "drop_newest", "drop_oldest");
    }

    @Override
    public Stage newStage(StageOptions options, Role role) {
        return block -> 1;
    }
}
