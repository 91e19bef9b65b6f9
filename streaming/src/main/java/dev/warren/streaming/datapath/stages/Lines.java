package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.Map;

/**
 * {@code (lines[,max=64k])}: splits the byte stream into lines and emits each line as a block of its own
 * (without {@code \n} and a preceding {@code \r}); the input block itself is dropped (0). A line cut by a
 * block boundary (a TCP read) is held until its end arrives; the last line without a newline is emitted
 * when the input ends. A line longer than {@code max} bytes is dropped and counted ({@code too_long}).
 */
public final class Lines implements StageType {
    @Override
    public String name() {
        return "lines";
    }

    @Override
    public String info() {
        return "splits the stream into lines, one block per line (max=64k bytes per line)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("max");
        max(o);
    }

    private static int max(StageOptions o) {
        return (int) o.size("max", 64 << 10, 1, 64 << 20);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Splitter(max(o));
    }

    static final class Splitter implements Stage {
        private final int max;
        private StageContext ctx;
        private byte[] carry = new byte[256];
        private int carryLen;
        /** The current line is longer than max: skip to its end. */
        private boolean skipping;

        private volatile long lines;
        private volatile long tooLong;

        Splitter(int max) {
            this.max = max;
        }

        @Override
        public void open(StageContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public int process(Block b) throws InterruptedException {
            byte[] a = b.array();
            int end = b.offset() + b.length();
            int start = b.offset();
            for (int i = start; i < end; i++) {
                if (a[i] != '\n') {
                    continue;
                }
                if (carryLen == 0 && !skipping) {
                    line(a, start, i);
                } else {
                    append(a, start, i);
                    if (!skipping) {
                        line(carry, 0, carryLen);
                    }
                    carryLen = 0;
                    skipping = false;
                }
                start = i + 1;
            }
            if (start < end) {
                append(a, start, end);
            }
            return 0;
        }

        private void append(byte[] a, int from, int to) {
            if (skipping) {
                return;
            }
            int n = to - from;
            if (carryLen + n > max + 1) { // + 1: room for a '\r' before the newline
                skipping = true;
                carryLen = 0;
                tooLong();
                return;
            }
            if (carry.length < carryLen + n) {
                carry = java.util.Arrays.copyOf(carry, Math.max(carryLen + n, carry.length * 2));
            }
            System.arraycopy(a, from, carry, carryLen, n);
            carryLen += n;
        }

        @SuppressWarnings("NonAtomicVolatileUpdate") // one tasklet at a time; volatile for state()
        private void line(byte[] a, int from, int to) throws InterruptedException {
            if (to > from && a[to - 1] == '\r') {
                to--;
            }
            if (to - from > max) {
                tooLong();
                return;
            }
            lines++;
            ctx.emit(a, from, to - from, 1);
        }

        @SuppressWarnings("NonAtomicVolatileUpdate")
        private void tooLong() {
            tooLong++;
        }

        @Override
        public void endOfInput() throws InterruptedException {
            if (carryLen > 0 && !skipping) {
                int n = carryLen;
                carryLen = 0;
                line(carry, 0, n);
            }
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("lines", lines, "too_long", tooLong);
        }
    }
}
