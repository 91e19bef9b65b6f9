package dev.warren.net;

import dev.warren.tasklets.Heartbeat;
import dev.warren.tasklets.Watchdog;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's reactor: one tasklet that reads the sockets of all the server's connections through one
 * {@link Selector} and hands the bytes to the connection tasklets ({@link ReactorIo}).
 *
 * <p>Why: a tasklet that reads a blocking socket with nothing to read parks on the JDK's poller, which
 * costs a failed read, an {@code epoll_ctl} to re-arm the one-shot registration, and a hand-off from
 * the poller's platform thread back to a carrier, per message. Here every socket stays registered, one
 * {@code epoll_wait} serves many sockets, the reactor reads only sockets that have bytes, and it wakes
 * their tasklets from a carrier (a local queue push, no cross-thread signal). The HTTP benchmark at
 * 5,000 connections spends about a fifth less CPU per request this way (docs/BENCHMARKS.md).
 *
 * <p>Fairness: the reactor yields its carrier after every batch of ready sockets and, every {@link
 * #VALVE_BATCHES} batches, parks for a moment instead. A yielded tasklet goes back to its carrier's own
 * queue, which the carrier drains before it looks at the queue where timer wake-ups and tasklets started
 * from platform threads wait; the pause lets that queue run even on a single carrier (the starvation
 * that the JDK's own virtual-thread pollers show, docs/ARCHITECTURE.md "Poller threads").
 *
 * <p>When no socket has bytes the reactor waits in {@link Selector#select()}, which parks its tasklet on
 * the JDK's poller (the selector's own descriptor): one hand-off per idle period, not per message. That
 * park holds the selector's monitor, which pins the carrier before JDK 24; {@link
 * TcpServer#reactorSupported()} says whether this JDK can run a reactor without pinning.
 */
final class Reactor {
    private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);
    /** Every this many batches the reactor parks briefly instead of yielding (a power of two). */
    static final int VALVE_BATCHES = 64;

    private static final long VALVE_NANOS = 50_000;
    /** The largest read into a connection's buffer, and the reactor's own buffer for overflow reads. */
    static final int READ_CHUNK = 64 * 1024;

    /**
     * How often the reactor looks for reads past their timeout ({@link ReactorIo#sweep}): a read timeout
     * fires up to this much late, and no read arms a JDK timer (one per read was a timer insertion, a
     * cancellation and often a wake-up of the JDK's timer thread per message).
     */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String name;
    /** Called once if the reactor fails (not when stopped): the server stops accepting connections. */
    private final Runnable onFailure;

    private final Selector selector;
    private final ConcurrentLinkedQueue<ReactorIo> pending = new ConcurrentLinkedQueue<>();
    /** Connections closed since the last select: their descriptors go with the next one. */
    private final ConcurrentLinkedQueue<ReactorIo> closedSince = new ConcurrentLinkedQueue<>();

    final ByteBuffer scratch = ByteBuffer.allocateDirect(READ_CHUNK);
    /**
     * Set by another thread after it queued something for the reactor (a registration, an interest
     * change, a close) and before it wakes the selector. {@link Selector#selectNow()} consumes a
     * pending wake-up without applying changes queued during it, so the reactor checks this flag
     * before it blocks instead of trusting the wake-up alone.
     */
    private final AtomicBoolean signalled = new AtomicBoolean();

    private volatile boolean stopped;
    private final AtomicBoolean closedAll = new AtomicBoolean();
    private volatile Thread thread;

    Reactor(String name, Runnable onFailure) throws IOException {
        this.name = name;
        this.onFailure = onFailure;
        this.selector = Selector.open();
    }

    /** Queues {@code io}'s channel for registration; the reactor registers it before its next select. */
    void register(ReactorIo io) {
        pending.add(io);
        if (stopped) {
            failPending(); // the reactor is gone (or going): no one else will serve the queue
            return;
        }
        signal();
    }

    /**
     * A connection's channel was closed: its descriptor is released by the next select, after which
     * the reactor tells it ({@link ReactorIo#descriptorReleased()}). Once the reactor has stopped (its
     * selector closed), at once.
     */
    void closed(ReactorIo io) {
        closedSince.add(io);
        if (closedAll.get()) {
            releaseClosed(); // the selector is gone, and with it every registered descriptor
            return;
        }
        signal();
    }

    private void releaseClosed() {
        for (ReactorIo io; (io = closedSince.poll()) != null; ) {
            io.descriptorReleased();
        }
    }

    /** Makes a selector blocked in select() apply interest changes or deregistrations made elsewhere. */
    void wakeup() {
        if (Thread.currentThread() != thread) {
            signal();
        }
    }

    /** After queueing a change: the flag first, then the wake-up (see {@link #signalled}). */
    private void signal() {
        signalled.set(true);
        selector.wakeup();
    }

    /** Ends {@link #run()} at its next turn. */
    void stop() {
        stopped = true;
        signal();
    }

    /**
     * After the reactor's tasklet has ended or was cancelled before it ever ran: fails what is still
     * registered or queued and closes the selector, unless {@link #run()} did so already.
     */
    void release() {
        stopped = true;
        closeAll();
    }

    /** The reactor's loop, run by its tasklet until {@link #stop()} or an interrupt. */
    // Thread.yield is the point here: the reactor gives its carrier to the tasklets it has just woken.
    @SuppressWarnings("ThreadPriorityCheck")
    void run() {
        thread = Thread.currentThread();
        long batches = 0;
        long lastSweep = System.nanoTime();
        boolean failed = false;
        // Beaten once per batch; idle in select(), where waiting for bytes is the reactor's job.
        Heartbeat hb = Watchdog.register("reactor " + name, Watchdog.defaultTimeout());
        try {
            java.util.ArrayList<ReactorIo> closedBefore = new java.util.ArrayList<>();
            while (!stopped && !Thread.currentThread().isInterrupted()) {
                registerPending();
                for (ReactorIo io; (io = closedSince.poll()) != null; ) {
                    closedBefore.add(io); // closed before this select, which deregisters their channels
                }
                int n = selector.selectNow();
                if (!closedBefore.isEmpty()) {
                    for (ReactorIo io : closedBefore) {
                        io.descriptorReleased();
                    }
                    closedBefore.clear();
                }
                if (n == 0) {
                    if (signalled.getAndSet(false)) {
                        continue; // changes may have been queued during selectNow: apply them first
                    }
                    hb.idle();
                    // parks this tasklet until a socket has bytes, wakeup(), or the next sweep is due
                    n = selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(SWEEP_NANOS)));
                }
                hb.beat();
                if (n > 0) {
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        try {
                            ready(k);
                        } catch (RuntimeException e) { // a bug or a JDK surprise: lose that connection only
                            LOG.warn("{}: closing {} after an unexpected error", name, k.channel(), e);
                            ((ReactorIo) k.attachment()).failed(new SocketException("reactor error: " + e));
                        }
                    }
                }
                long now = System.nanoTime();
                if (now - lastSweep >= SWEEP_NANOS) {
                    lastSweep = now;
                    for (SelectionKey k : selector.keys()) {
                        if (k.attachment() instanceof ReactorIo io) {
                            io.sweep(now);
                        }
                    }
                }
                if ((++batches & (VALVE_BATCHES - 1)) == 0) {
                    LockSupport.parkNanos(this, VALVE_NANOS);
                } else {
                    Thread.yield();
                }
            }
            if (!stopped) {
                LOG.debug("{}: reactor interrupted, stopping", name);
            }
        } catch (IOException | RuntimeException e) {
            if (!stopped) {
                failed = true;
                LOG.error("{}: reactor failed; closing its connections and no longer accepting", name, e);
            }
        } finally {
            hb.close();
            stopped = true;
            closeAll();
            if (failed) {
                onFailure.run();
            }
        }
    }

    private static void ready(SelectionKey k) {
        ReactorIo io = (ReactorIo) k.attachment();
        int ready;
        try {
            ready = k.readyOps();
        } catch (CancelledKeyException e) {
            return; // closed meanwhile; the tasklet saw or will see the close
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            io.onWritable();
        }
        if ((ready & SelectionKey.OP_READ) != 0) {
            io.onReadable();
        }
    }

    private void registerPending() {
        for (ReactorIo io; (io = pending.poll()) != null; ) {
            try {
                io.registered(io.channel().register(selector, SelectionKey.OP_READ, io));
            } catch (ClosedChannelException | RuntimeException e) {
                SocketException se = new SocketException("connection closed before its reactor registered it");
                se.initCause(e);
                io.failed(se);
            }
        }
    }

    /** On the way out, once: every connection still registered learns that its reads are over. */
    private void closeAll() {
        if (!closedAll.compareAndSet(false, true)) {
            return;
        }
        failPending();
        try {
            for (SelectionKey k : selector.keys()) {
                try {
                    ((ReactorIo) k.attachment()).failed(new SocketException(name + ": reactor stopped"));
                } catch (RuntimeException e) {
                    LOG.debug("{}: failing {}", name, k.channel(), e);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: walking the keys", name, e);
        } finally {
            try {
                selector.close(); // releases the descriptors of channels closed while registered
            } catch (IOException e) {
                LOG.debug("{}: closing the selector", name, e);
            }
            releaseClosed();
        }
    }

    private void failPending() {
        for (ReactorIo io; (io = pending.poll()) != null; ) {
            io.failed(new SocketException(name + ": reactor stopped"));
        }
    }

    @Override
    public String toString() {
        return "reactor " + name;
    }
}
