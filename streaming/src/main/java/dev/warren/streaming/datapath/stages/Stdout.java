package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;

/**
 * {@code (stdout[,newline])}: writes every block's raw bytes to standard output (file descriptor 1),
 * buffered, flushed within 200 ms; passes it on.
 */
public final class Stdout implements StageType {
    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public String info() {
        return "writes blocks to standard output (newline: end each with \\n)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("newline");
        o.flag("newline");
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new ByteSink(o.flag("newline")) {
            @Override
            OutputStream openStream() {
                return new FileOutputStream(FileDescriptor.out);
            }

            @Override
            boolean closeStream() {
                return false;
            }
        };
    }
}
