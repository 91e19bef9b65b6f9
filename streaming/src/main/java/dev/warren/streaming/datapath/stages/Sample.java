package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.SplittableRandom;

/**
 * {@code (sample,every=N)}: passes one block in N (the N-th, 2N-th, ...); {@code (sample,p=0.1[,seed=S])}:
 * passes each block with probability p (seeded: the same seed gives the same choice).
 */
public final class Sample implements StageType {
    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String info() {
        return "passes one block in every=N, or each with probability p=0..1 (seed=S)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("every", "p", "seed");
        if (o.has("every") == o.has("p")) {
            throw new IllegalArgumentException("give either every=N or p=PROBABILITY");
        }
        o.integer("every", 1, 1, Integer.MAX_VALUE);
        o.decimal("p", 1, 0, 1);
        o.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        if (o.has("seed") && !o.has("p")) {
            throw new IllegalArgumentException("option 'seed' goes with p=...");
        }
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        if (o.has("every")) {
            long every = o.integer("every", 1, 1, Integer.MAX_VALUE);
            return new Stage() {
                private long n;

                @Override
                public int process(Block b) {
                    if (++n == every) {
                        n = 0;
                        return 1;
                    }
                    return 0;
                }
            };
        }
        double p = o.decimal("p", 1, 0, 1);
        SplittableRandom random = o.has("seed")
                ? new SplittableRandom(o.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE))
                : new SplittableRandom();
        return (Block b) -> random.nextDouble() < p ? 1 : 0;
    }
}
