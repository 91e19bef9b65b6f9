package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.time.Duration;
import java.util.Set;

/**
 * {@code (gen[,size=100][,count=N][,rate=N|interval=D][,payload=TEXT])}: a source of generated blocks,
 * each its sequence number from 1, a space, and the payload repeated up to {@code size} bytes (without
 * {@code size}: the payload once). As fast as the chain takes them unless {@code rate} (blocks per
 * second) or {@code interval} paces it; {@code count} ends the input after N blocks.
 */
public final class Gen implements StageType {
    @Override
    public String name() {
        return "gen";
    }

    @Override
    public String info() {
        return "generates numbered blocks (size=BYTES, count=N, rate=N/s or interval=D, payload=TEXT)";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("size", "count", "rate", "interval", "payload");
        GenSource.of(o, "x", Duration.ZERO, true);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return GenSource.of(o, "x", Duration.ZERO, true);
    }
}
