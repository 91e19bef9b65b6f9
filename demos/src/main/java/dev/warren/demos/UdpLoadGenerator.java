package dev.warren.demos;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of {@code ./hiveparser --generate}: sends {@code KEY VALUE TIMESTAMP_MS} lines, one
 * per datagram, to a UDP address at a steady rate over a fixed set of keys ({@code k0..k(K-1)}, round
 * robin; the value cycles through 0..99; the timestamp is the wall clock). Paced against the monotonic
 * clock in 1 ms steps, so it never sends faster than asked; if the machine cannot keep up it sends as fast
 * as it can, never bursting more than 10 ms worth of lines to catch up.
 *
 * <p>Also used by the UDP ingest benchmark. Thread-safe counters; one generator runs on one tasklet.
 */
public final class UdpLoadGenerator {
    private final InetSocketAddress target;
    private final long rate;
    private final int keys;
    private final long limit;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    /**
     * A generator of {@code rate} lines/s over {@code keys} keys to {@code target}, stopping after
     * {@code limit} lines (0: no limit).
     */
    public UdpLoadGenerator(InetSocketAddress target, long rate, int keys, long limit) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be > 0, was " + rate);
        }
        if (keys <= 0) {
            throw new IllegalArgumentException("keys must be > 0, was " + keys);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        this.target = target;
        this.rate = rate;
        this.keys = keys;
        this.limit = limit;
    }

    /** Starts sending on a new tasklet, for {@code duration} (null: until cancelled or the limit). */
    public Tasklet<Void> start(Duration duration) {
        return Tasklets.start("udp-generator", () -> {
            run(duration);
            return null;
        });
    }

    /** Sends on the calling thread until {@code duration} passed (null: no end), the limit, or an interrupt. */
    // Thread.yield() is deliberate: on a virtual thread it is the way to give the carrier back (see below).
    @SuppressWarnings("ThreadPriorityCheck")
    public void run(Duration duration) {
        long start = System.nanoTime();
        long end = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        long stepNanos = TimeUnit.MILLISECONDS.toNanos(1);
        byte[][] keyBytes = new byte[Math.min(keys, 1 << 16)][];
        ByteBuffer buf = ByteBuffer.allocateDirect(128);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(target);
            long i = 0; // lines sent
            long skipped = 0; // lines the schedule gave up on because we fell behind by more than a step
            long perStep = Math.max(1, rate / 100); // at most 10 ms of lines in one burst
            while (!Thread.currentThread().isInterrupted()) {
                long now = System.nanoTime();
                if (now >= end || (limit > 0 && i >= limit)) {
                    return;
                }
                long due = (long) ((now - start) / 1e9 * rate) + 1 - skipped;
                if (due - i > perStep) {
                    skipped += due - i - perStep; // far behind: give up on the excess rather than burst
                    due = i + perStep;
                }
                if (i >= due) {
                    LockSupport.parkNanos(stepNanos);
                    continue;
                }
                long wall = System.currentTimeMillis();
                for (; i < due && (limit == 0 || i < limit); i++) {
                    int k = (int) (i % keys);
                    buf.clear();
                    buf.put(key(keyBytes, k)).put((byte) ' ');
                    putLong(buf, i % 100);
                    buf.put((byte) ' ');
                    putLong(buf, wall);
                    buf.flip();
                    try {
                        ch.write(buf);
                        sent.incrementAndGet();
                    } catch (java.net.PortUnreachableException refused) {
                        sendErrors.incrementAndGet(); // nobody listening yet, or any more
                    }
                }
                // UDP sends never block, so a generator behind schedule would never park: on a virtual
                // thread it would keep its carrier and starve the receiver's tasklet. Yield after each burst.
                Thread.yield();
            }
        } catch (java.nio.channels.ClosedByInterruptException stopped) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException("UDP generator to " + target + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] key(byte[][] cache, int k) {
        if (k < cache.length) {
            byte[] b = cache[k];
            if (b == null) {
                cache[k] = b = ("k" + k).getBytes(StandardCharsets.US_ASCII);
            }
            return b;
        }
        return ("k" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private static void putLong(ByteBuffer b, long v) {
        if (v == 0) {
            b.put((byte) '0');
            return;
        }
        int startPos = b.position();
        while (v > 0) {
            b.put((byte) ('0' + (v % 10)));
            v /= 10;
        }
        for (int lo = startPos, hi = b.position() - 1; lo < hi; lo++, hi--) {
            byte t = b.get(lo);
            b.put(lo, b.get(hi));
            b.put(hi, t);
        }
    }

    /** Datagrams sent so far. */
    public long sent() {
        return sent.get();
    }

    /** Sends refused (ICMP port unreachable: nobody was listening). */
    public long sendErrors() {
        return sendErrors.get();
    }
}
