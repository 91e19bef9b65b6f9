package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/** {@code (count)}: counts blocks and bytes (its state) and passes every block on (1). */
public final class Count implements StageType {
    @Override
    public String name() {
        return "count";
    }

    @Override
    public String info() {
        return "counts blocks and bytes, passes everything";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly();
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Counter();
    }

    /** Opaque stores: the counting tasklet pays no fence, a reader elsewhere sees the counts move. */
    static final class Counter implements Stage {
        private static final VarHandle BLOCKS;
        private static final VarHandle BYTES;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                BLOCKS = l.findVarHandle(Counter.class, "blocks", long.class);
                BYTES = l.findVarHandle(Counter.class, "bytes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long blocks;
        private long bytes;

        @Override
        public int process(Block b) {
            BLOCKS.setOpaque(this, blocks + 1);
            BYTES.setOpaque(this, bytes + b.length());
            return 1;
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("blocks", (long) BLOCKS.getOpaque(this), "bytes", (long) BYTES.getOpaque(this));
        }
    }
}
