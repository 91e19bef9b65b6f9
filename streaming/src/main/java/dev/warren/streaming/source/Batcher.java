package dev.warren.streaming.source;

import dev.warren.streaming.Emitter;
import java.util.ArrayList;

/**
 * Hands records to a job in batches ({@link Emitter#emitAll}: one inbox message per shard instead of one
 * per record), and turns away records longer than the source's limit as counted parse errors. Both
 * network sources use it: the UDP source under its lock (a flusher tasklet and the receiver share it),
 * the TCP source one per connection, flushed before the connection's tasklet would wait for more input.
 *
 * <p>Not thread-safe: one tasklet at a time, or the caller's lock.
 */
final class Batcher {
    /** Records per batch at most. */
    static final int BATCH = 128;

    private final Emitter<String> out;
    private final int maxLine;
    private ArrayList<String> pending = new ArrayList<>(BATCH);

    Batcher(Emitter<String> out, int maxLine) {
        this.out = out;
        this.maxLine = maxLine;
    }

    /** Adds a record, emitting the batch when it is full; a record over the limit is rejected instead. */
    void add(String record) throws InterruptedException {
        if (record.length() > maxLine) {
            out.reject(
                    record.substring(0, Math.min(64, record.length())) + "...",
                    "line longer than " + maxLine + " characters");
            return;
        }
        pending.add(record);
        if (pending.size() >= BATCH) {
            emit();
        }
    }

    /** Emits what is pending, if anything. */
    void flush() throws InterruptedException {
        if (!pending.isEmpty()) {
            emit();
        }
    }

    private void emit() throws InterruptedException {
        ArrayList<String> batch = pending;
        pending = new ArrayList<>(BATCH);
        out.emitAll(batch);
    }
}
