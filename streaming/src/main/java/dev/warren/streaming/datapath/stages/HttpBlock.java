package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.nio.charset.StandardCharsets;

/** Streamline's example: {@code (httpblock)} drops every block containing "http" (0), passes the rest (1). */
public final class HttpBlock implements StageType {
    private static final byte[] HTTP = "http".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "httpblock";
    }

    @Override
    public String info() {
        return "blocks everything that contains the string \"http\"";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly();
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return (Block b) -> Bytes.contains(b, HTTP) ? 0 : 1;
    }
}
