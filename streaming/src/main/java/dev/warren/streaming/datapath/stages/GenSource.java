package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Output;
import dev.warren.streaming.datapath.SourceStage;
import dev.warren.streaming.datapath.StageOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The source behind {@code gen} and {@code wakeup}: one reused buffer, refilled for every block. */
final class GenSource implements SourceStage {
    private static final VarHandle EMITTED;

    static {
        try {
            EMITTED = MethodHandles.lookup().findVarHandle(GenSource.class, "emitted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] template;
    private final boolean numbered;
    private final long count;
    private final long intervalNanos;
    private final byte[] buf;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopped;
    /** Blocks of exactly the template's length (size=...), the number overwriting its start. */
    private final boolean sized;
    /** Written by the source's tasklet only, with opaque stores (read by state() elsewhere). */
    private long emitted;

    private GenSource(byte[] template, boolean numbered, long count, long intervalNanos, boolean sized) {
        this.sized = sized;
        this.template = template;
        this.numbered = numbered;
        this.count = count;
        this.intervalNanos = intervalNanos;
        this.buf = new byte[template.length + (numbered ? 21 : 0)];
    }

    static GenSource of(StageOptions o, String defaultPayload, Duration defaultInterval, boolean numbered) {
        byte[] payload = o.get("payload", defaultPayload).getBytes(StandardCharsets.UTF_8);
        long count = o.integer("count", 0, 0, Long.MAX_VALUE);
        if (o.has("rate") && o.has("interval")) {
            throw new IllegalArgumentException("give rate=N or interval=D, not both");
        }
        long interval = o.duration("interval", defaultInterval, Duration.ZERO, Duration.ofDays(1))
                .toNanos();
        if (o.has("rate")) {
            interval = 1_000_000_000L / o.integer("rate", 1, 1, 1_000_000_000);
        }
        byte[] template = payload;
        if (o.has("size")) {
            int size = (int) o.size("size", 100, 1, 64 << 20);
            if (payload.length == 0) {
                throw new IllegalArgumentException("option 'payload' must not be empty with size=...");
            }
            template = new byte[size];
            for (int i = 0; i < size; i++) {
                template[i] = payload[i % payload.length];
            }
            return new GenSource(template, numbered, count, interval, true);
        }
        return new GenSource(template, numbered, count, interval, false);
    }

    /** Writes the next block into {@code buf}; its length. */
    private int fill() {
        return sized ? fillSized() : fillPlain();
    }

    private int fillPlain() {
        int d = numbered ? digits(emitted + 1) : 0;
        System.arraycopy(template, 0, buf, d, template.length);
        return d + template.length;
    }

    /** A block of exactly the template's length: the number, a space, the rest of the payload. */
    private int fillSized() {
        int d = numbered ? digits(emitted + 1) : 0;
        int n = template.length;
        if (d < n) {
            System.arraycopy(template, 0, buf, d, n - d);
        }
        return n;
    }

    /** Writes {@code v} and a space at the start of {@code buf}; the bytes written. */
    private int digits(long v) {
        int len = 1;
        for (long x = v; x >= 10; x /= 10) {
            len++;
        }
        for (int i = len - 1; i >= 0; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        buf[len] = ' ';
        return len + 1;
    }

    @Override
    public void run(Output out) throws InterruptedException {
        long next = System.nanoTime();
        while ((count == 0 || emitted < count) && !stopped) {
            if (intervalNanos > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0 && stop.await(wait, TimeUnit.NANOSECONDS)) {
                    return;
                } else if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                next += intervalNanos;
            } else if ((emitted & 1023) == 0 && Thread.interrupted()) {
                throw new InterruptedException();
            }
            int n = fill();
            EMITTED.setOpaque(this, emitted + 1);
            out.emit(buf, 0, n);
        }
    }

    @Override
    public void stop() {
        stopped = true;
        stop.countDown();
    }

    @Override
    public Map<String, Object> state() {
        return Map.of("emitted", (long) EMITTED.getOpaque(this));
    }
}
