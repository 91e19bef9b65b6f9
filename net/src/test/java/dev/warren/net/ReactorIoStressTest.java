package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.testing.Proof;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reactor hand-off ({@link ReactorIo}: the tasklet offers its buffer and parks, the reactor reads
 * into it or into the stash and unparks, at 64 KiB stashed it stops reading, a close from any thread
 * ends a parked read) under a real {@link Reactor} on real loopback sockets, for thousands of
 * connections with random sizes, read sizes, reader speeds, read timeouts and endings.
 *
 * <p>Not under Lincheck: the state lives between a non-blocking {@code SocketChannel} and a
 * {@code Selector}, JDK internals with native calls (epoll) that the model checker can neither switch
 * inside nor replay, and what a read returns depends on when the kernel delivers bytes, which no
 * sequential specification can predict. So this harness checks the invariants instead: the bytes read
 * are exactly the bytes sent, in order, with none lost or repeated, across offers, stashes, pauses and
 * timeouts; a reader parked when the peer ends, the connection is closed from another thread or the
 * reader is interrupted always wakes (a bounded join; a lost wake-up is a hang); it sees the end exactly
 * once, and every read after it ends the same way.
 */
@Tag(Proof.TAG)
class ReactorIoStressTest {
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(60);

    enum Ending {
        EOF,
        CLOSE_FROM_ANOTHER_THREAD,
        INTERRUPT_READER,
        PEER_RESET
    }

    private static final List<Ending> ENDINGS = List.of(Ending.values());

    @Test
    void bytesInOrderNoLostWakeUpEndSeenOnce() throws Exception {
        Duration budget = Proof.budget(Duration.ofSeconds(5), Duration.ofMinutes(3));
        Reactor reactor = new Reactor("stress", () -> {});
        Thread reactorThread = Thread.ofPlatform().name("reactor-stress").start(reactor::run);
        AtomicLong reads = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long connections = 0;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            long end = System.nanoTime() + budget.toNanos();
            SplittableRandom seeds = new SplittableRandom();
            do {
                long seed = seeds.nextLong();
                SplittableRandom rnd = new SplittableRandom(seed);
                int n = 1 + rnd.nextInt(6);
                List<Conn> round = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    round.add(new Conn(server, reactor, rnd.split(), reads, bytes));
                }
                for (Conn c : round) {
                    try {
                        c.finish();
                    } catch (AssertionError | Exception e) {
                        throw new AssertionError("connection " + c + " (round seed " + seed + ") failed", e);
                    }
                }
                connections += n;
            } while (System.nanoTime() < end);
        } finally {
            reactor.stop();
            reactorThread.join(JOIN_LIMIT);
            reactor.release();
        }
        assertTrue(connections > 0);
        System.out.printf(
                "ReactorIoStressTest: %d connections, %d reads, %d bytes checked%n",
                connections, reads.get(), bytes.get());
    }

    /** One connection: the peer writing, the reader reading and checking, and an ending. */
    private static final class Conn {
        private final SplittableRandom rnd;
        private final SocketChannel peer;
        private final ReactorIo io;
        private final int size;
        private final int salt;
        private final Ending ending;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicReference<String> outcome = new AtomicReference<>();
        private final AtomicLong received = new AtomicLong();
        private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        private final Thread writer;
        private final Thread platformReader;
        private final Tasklet<Void> taskletReader;
        private final AtomicLong reads;
        private final AtomicLong bytes;

        Conn(ServerSocketChannel server, Reactor reactor, SplittableRandom rnd, AtomicLong reads, AtomicLong bytes)
                throws IOException {
            this.rnd = rnd;
            this.reads = reads;
            this.bytes = bytes;
            peer = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            io = new ReactorIo(accepted, reactor);
            reactor.register(io);
            size = 1 + rnd.nextInt(rnd.nextBoolean() ? 2_000 : 300_000);
            salt = rnd.nextInt(251);
            ending = ENDINGS.get(rnd.nextInt(ENDINGS.size()));
            if (rnd.nextInt(4) == 0) {
                io.readTimeout(1 + rnd.nextInt(5));
            }
            long readerSeed = rnd.nextLong();
            long writerSeed = rnd.nextLong();
            if (rnd.nextBoolean()) {
                platformReader = Thread.ofPlatform().name("reader").start(() -> read(readerSeed));
                taskletReader = null;
            } else {
                platformReader = null;
                taskletReader = Tasklets.start("reader", () -> read(readerSeed));
            }
            writer = Thread.ofPlatform().name("peer-writer").start(() -> write(writerSeed));
        }

        private void write(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            try {
                int sent = 0;
                while (sent < size) {
                    int chunk = Math.min(size - sent, 1 + r.nextInt(r.nextBoolean() ? 100 : 70_000));
                    ByteBuffer b = ByteBuffer.allocate(chunk);
                    for (int i = 0; i < chunk; i++) {
                        b.put(pattern(sent + i));
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        peer.write(b);
                    }
                    sent += chunk;
                }
                if (ending == Ending.PEER_RESET) {
                    peer.setOption(StandardSocketOptions.SO_LINGER, 0);
                    peer.close();
                } else if (ending == Ending.EOF) {
                    peer.shutdownOutput();
                } // else the peer stays open: only the close or the interrupt can end the read
            } catch (IOException e) {
                // the other side closed while we wrote: expected for the endings that close it
                if (ending == Ending.EOF) {
                    failure.compareAndSet(null, e);
                }
            }
        }

        private byte pattern(long i) {
            return (byte) ((i + salt) % 251);
        }

        private void read(long seed) {
            started.countDown();
            SplittableRandom r = new SplittableRandom(seed);
            byte[] buf = new byte[8192];
            long pos = 0;
            try {
                for (; ; ) {
                    int len = 1 + r.nextInt(r.nextBoolean() ? 16 : buf.length);
                    int off = r.nextInt(buf.length - len + 1);
                    int n;
                    try {
                        n = io.read(buf, off, len);
                    } catch (SocketTimeoutException timeout) {
                        continue; // a timed-out read takes nothing; the next one goes on where it was
                    }
                    reads.incrementAndGet();
                    if (n < 0) {
                        outcome.set("eof");
                        return;
                    }
                    if (n == 0) {
                        throw new AssertionError("read returned 0 for " + len + " bytes asked");
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[off + i] != pattern(pos + i)) {
                            throw new AssertionError(
                                    "byte " + (pos + i) + " is " + buf[off + i] + ", sent " + pattern(pos + i));
                        }
                    }
                    pos += n;
                    received.set(pos);
                    bytes.addAndGet(n);
                    if (r.nextInt(8) == 0) {
                        slowDown(r); // let bytes pile up in the stash, past the 64 KiB pause
                    }
                }
            } catch (SocketException e) {
                outcome.set("exception: " + e.getMessage());
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        @SuppressWarnings("ThreadPriorityCheck") // a reader slower than the peer, on purpose
        private static void slowDown(SplittableRandom r) {
            for (int i = r.nextInt(50); i > 0; i--) {
                Thread.yield();
            }
        }

        void finish() throws Exception {
            switch (ending) {
                case CLOSE_FROM_ANOTHER_THREAD -> {
                    waitForSomeBytes();
                    Thread.ofPlatform().name("closer").start(io::close).join();
                }
                case INTERRUPT_READER -> {
                    // a tasklet cancelled before it ever ran never runs its task: interrupt a running one
                    assertTrue(started.await(JOIN_LIMIT.toSeconds(), TimeUnit.SECONDS), "the reader never started");
                    waitForSomeBytes();
                    if (platformReader != null) {
                        platformReader.interrupt();
                    } else {
                        taskletReader.cancel();
                    }
                }
                default -> {}
            }
            boolean done = platformReader != null ? platformReader.join(JOIN_LIMIT) : joinTasklet();
            if (!done) {
                fail("lost wake-up? the reader of " + this + " is still waiting after " + JOIN_LIMIT + " with "
                        + received.get() + " of " + size + " bytes");
            }
            io.close();
            peer.close();
            if (!writer.join(JOIN_LIMIT)) {
                fail("the peer writer of " + this + " hung");
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            String end = outcome.get();
            switch (ending) {
                case EOF -> {
                    assertEquals("eof", end, this.toString());
                    assertEquals(size, received.get(), "every byte before the end of stream");
                }
                case PEER_RESET ->
                    assertTrue(end.equals("eof") || end.startsWith("exception"), "after a reset: " + end);
                default -> assertTrue(end != null && end.startsWith("exception"), this + " ended with " + end);
            }
            // the end stays the end: the connection is closed now, so every read fails
            assertThrows(SocketException.class, () -> io.read(new byte[16], 0, 16));
        }

        private boolean joinTasklet() throws InterruptedException {
            try {
                taskletReader.join(JOIN_LIMIT);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.CancellationException | dev.warren.tasklets.TaskletFailedException e) {
                return true;
            }
        }

        /** Lets the reader get somewhere first in half of the cases; closes at once in the others. */
        private void waitForSomeBytes() throws InterruptedException {
            if (rnd.nextBoolean()) {
                long want = rnd.nextLong(size) + 1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (received.get() < want && outcome.get() == null && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(50_000); // a bounded look at progress, not a wait for a result
                }
            }
        }

        @Override
        public String toString() {
            return size + " bytes, ending " + ending + ", reader " + (platformReader != null ? "platform" : "tasklet");
        }
    }
}
