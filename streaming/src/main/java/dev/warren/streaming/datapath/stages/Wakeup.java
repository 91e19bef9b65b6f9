package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.time.Duration;
import java.util.Set;

/**
 * Streamline's input-function example: {@code (wakeup[,interval=1s][,count=N][,payload=TEXT])} emits
 * the block "wake up!" once per interval, from a timer-driven tasklet.
 */
public final class Wakeup implements StageType {
    @Override
    public String name() {
        return "wakeup";
    }

    @Override
    public String info() {
        return "emits \"wake up!\" every interval=1s (count=N, payload=TEXT)";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("count", "interval", "payload");
        GenSource.of(o, "wake up!", Duration.ofSeconds(1), false);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return GenSource.of(o, "wake up!", Duration.ofSeconds(1), false);
    }
}
