package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.Map;

/** {@code (head,n=10)}: the first n blocks pass (1), every later one is dropped (0). */
public final class Head implements StageType {
    @Override
    public String name() {
        return "head";
    }

    @Override
    public String info() {
        return "passes the first n=N blocks, drops the rest";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("n");
        n(o);
    }

    private static long n(StageOptions o) {
        return o.integer("n", 10, 0, Long.MAX_VALUE);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        long n = n(o);
        return new Stage() {
            private volatile long seen;

            @Override
            @SuppressWarnings("NonAtomicVolatileUpdate") // one tasklet at a time calls process; volatile for state()
            public int process(Block b) {
                return seen++ < n ? 1 : 0;
            }

            @Override
            public Map<String, Object> state() {
                return Map.of("n", n, "passed", Math.min(seen, n));
            }
        };
    }
}
