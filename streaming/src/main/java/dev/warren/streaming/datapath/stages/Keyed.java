package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.Backpressure;
import dev.warren.streaming.Emitter;
import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code (keyed,job=NAME[,backpressure=block|drop|fail])}: feeds every block, decoded as UTF-8, as one
 * record to the {@link dev.warren.streaming.StreamJob} attached as NAME ({@link KeyedJobs}): parsed by the
 * job's parser, routed by key to its shards, into its windows. Under {@code block} (the default) a full
 * shard makes the chain wait; {@code drop} drops and counts in the job; {@code fail} makes such a block
 * an error of this stage. Passes every block on (1). The job is the application's: this stage never
 * closes it.
 */
public final class Keyed implements StageType {
    @Override
    public String name() {
        return "keyed";
    }

    @Override
    public String info() {
        return "feeds each block as a record to the StreamJob attached as job=NAME (backpressure=block|drop|fail)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("job", "backpressure");
        KeyedJobs.get(o.require("job"));
        backpressure(o);
    }

    private static Backpressure backpressure(StageOptions o) {
        return switch (o.choice("backpressure", "block", "block", "drop", "fail")) {
            case "drop" -> Backpressure.DROP_NEWEST;
            case "fail" -> Backpressure.FAIL;
            default -> Backpressure.BLOCK;
        };
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        String job = o.require("job");
        Backpressure bp = backpressure(o);
        return new Stage() {
            private Emitter<String> emitter;

            @Override
            public void open(StageContext ctx) {
                emitter = KeyedJobs.get(job).emitter("datapath " + ctx.datapathId() + " #" + ctx.index(), bp);
            }

            @Override
            public int process(Block b) throws InterruptedException {
                emitter.emit(b.toString(StandardCharsets.UTF_8));
                return 1;
            }

            @Override
            public Map<String, Object> state() {
                Emitter<String> e = emitter;
                return e == null
                        ? Map.of("job", job)
                        : Map.of(
                                "job",
                                job,
                                "emitted",
                                e.stats().emitted(),
                                "parse_errors",
                                e.stats().parseErrors());
            }
        };
    }
}
