package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.io.InputStream;
import java.util.Set;

/**
 * {@code (stdin[,block=64k])}: reads standard input in blocks until its end. The JDK cannot interrupt a
 * read of standard input: closing the datapath waits until a read returns (input or end).
 */
public final class Stdin implements StageType {
    @Override
    public String name() {
        return "stdin";
    }

    @Override
    public String info() {
        return "reads standard input in blocks (block=64k)";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("block");
        FileStage.block(o);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new FileStage.Reader(null, FileStage.block(o)) {
            @Override
            InputStream openStream() {
                return System.in;
            }
        };
    }
}
