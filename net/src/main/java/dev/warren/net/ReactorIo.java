package dev.warren.net;

import dev.warren.tasklets.Fairness;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Transport} of a connection whose socket a {@link Reactor} polls: blocking reads and
 * writes, a read timeout (enforced by the reactor's sweep, no JDK timer per read), close from any
 * thread, over a non-blocking {@link SocketChannel}.
 *
 * <p>Reading: the tasklet offers its buffer and parks; the reactor, when the socket has bytes, reads
 * them straight into the offered buffer and unparks the tasklet. Bytes that arrive while no buffer is
 * offered (the tasklet is busy with the previous message) go to a stash the next read takes first; at
 * {@link Reactor#READ_CHUNK} stashed bytes the reactor stops reading the socket until the tasklet has
 * taken them, so a client that sends faster than its tasklet reads is held back by TCP, as with a
 * blocking socket. The offer, the stash and the interest set are guarded by one lock, held by the
 * reactor only for a non-blocking read and by the tasklet only for bookkeeping, never while parked.
 *
 * <p>Writing: the tasklet writes the channel itself; when the socket's send buffer is full it asks
 * the reactor for a writability event and parks until it comes (there is no write timeout, as with a
 * blocking socket: a close ends the wait).
 *
 * <p>Like a blocking socket, an interrupt of a blocked read or write closes the connection and throws
 * a {@link SocketException}, and a close from another thread ends a blocked read or write with one.
 */
final class ReactorIo implements Transport {
    private final SocketChannel ch;
    private final Reactor reactor;
    private final ReentrantLock lock = new ReentrantLock();
    /** The state of {@link #onReleased} once the descriptor is gone. */
    private static final Object RELEASED = new Object();
    /** null, then the Runnable to run when the descriptor is gone, or RELEASED once it is. */
    private final java.util.concurrent.atomic.AtomicReference<Object> onReleased =
            new java.util.concurrent.atomic.AtomicReference<>();

    // guarded by lock
    private SelectionKey key;
    private byte[] offer;
    private int offerOff;
    private int offerLen;
    private int filled;
    private byte[] stash;
    private int stashPos;
    private int stashLim;
    private boolean readPaused;
    private boolean eof;
    private boolean wantWrite;
    private IOException failure;

    /** Set (under the lock) when a parked reader has something to look at: bytes, end of stream, a failure or a close. */
    private volatile boolean readDone;

    private volatile boolean writable;
    private volatile boolean closed;
    private volatile Thread reader;
    private volatile Thread writer;
    private long timeoutNanos; // 0 = none; the reading tasklet's own

    /**
     * The deadline of the read waiting now ({@link System#nanoTime()}), {@link #NO_DEADLINE} for none,
     * {@link #EXPIRED} once the reactor found it passed. The reactor enforces read timeouts in its sweep
     * ({@link Reactor#SWEEP_NANOS}), so a timed read parks like any other: no JDK timer per read.
     */
    private volatile long readDeadline;

    static final long NO_DEADLINE = 0;
    static final long EXPIRED = Long.MIN_VALUE;
    private static final java.lang.invoke.VarHandle READ_DEADLINE;

    static {
        try {
            READ_DEADLINE =
                    java.lang.invoke.MethodHandles.lookup().findVarHandle(ReactorIo.class, "readDeadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ReactorIo(SocketChannel ch, Reactor reactor) throws IOException {
        this.ch = ch;
        this.reactor = reactor;
        ch.configureBlocking(false);
    }

    SocketChannel channel() {
        return ch;
    }

    @Override
    public java.net.Socket socket() {
        return ch.socket();
    }

    @Override
    public void readTimeout(int millis) {
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    // ------------------------------------------------------------------ the tasklet's side

    /** Reads at least one byte into {@code b}, waiting for it; -1 at end of stream. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (closed) {
                // before the stash: bytes that arrived before a close are not served after it
                throw new SocketException("Socket closed");
            }
            if (stash != null) {
                return takeStash(b, off, len);
            }
            if (failure != null) {
                throw failure(failure);
            }
            if (eof) {
                return -1;
            }
            offer = b;
            offerOff = off;
            offerLen = len;
            filled = 0;
            reader = Thread.currentThread();
        } finally {
            lock.unlock();
        }
        long timeout = timeoutNanos;
        boolean timed = timeout > 0;
        boolean timedOut = false;
        boolean interrupted = false;
        if (timed) {
            long deadline = System.nanoTime() + timeout;
            readDeadline = deadline == NO_DEADLINE || deadline == EXPIRED ? deadline + 1 : deadline;
        }
        try {
            while (!readDone) {
                if (Thread.interrupted()) {
                    interrupted = true;
                    break;
                }
                if (timed && readDeadline == EXPIRED) {
                    timedOut = true;
                    break;
                }
                LockSupport.park(this);
            }
        } catch (Throwable t) { // an asynchronous error: withdraw the offer before b goes back to the caller
            withdraw();
            throw t;
        } finally {
            if (timed) {
                readDeadline = NO_DEADLINE;
            }
        }
        Fairness.waited();
        lock.lock();
        try {
            reader = null;
            offer = null; // from here on the reactor no longer writes into b
            boolean done = readDone;
            readDone = false;
            int n = filled;
            filled = 0;
            if (n > 0) {
                if (interrupted) {
                    Thread.currentThread().interrupt(); // the bytes are read; the next blocking call sees it
                }
                return n;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            } else if (timedOut && !done) {
                throw new SocketTimeoutException("Read timed out");
            }
            if (failure != null) {
                throw failure(failure);
            }
            if (eof) {
                return -1;
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            close();
            throw new SocketException("Closed by interrupt");
        }
        throw new SocketException("Socket closed");
    }

    /**
     * Called by the reactor's sweep: if the read waiting now has passed its deadline, marks it expired
     * and wakes its reader, which then throws {@link SocketTimeoutException} (unless bytes came first).
     * A compare-and-set on the deadline itself, so a sweep that read the deadline of a read that has
     * since ended never expires the next one.
     */
    void sweep(long nowNanos) {
        long d = readDeadline;
        if (d != NO_DEADLINE && d != EXPIRED && nowNanos - d >= 0 && READ_DEADLINE.compareAndSet(this, d, EXPIRED)) {
            Thread r = reader;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }
    }

    private void withdraw() {
        lock.lock();
        try {
            reader = null;
            offer = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes all of {@code b[off, off+len)}, waiting for room in the socket's send buffer as needed.
     * Failures are {@link SocketException}s, as from a blocking socket's stream.
     */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        try {
            while (bb.hasRemaining()) {
                if (ch.write(bb) == 0) {
                    awaitWritable();
                }
            }
        } catch (java.nio.channels.ClosedByInterruptException e) {
            // the channel closed itself (the interrupt status stays set), as a blocking socket does
            SocketException se = new SocketException("Closed by interrupt");
            se.initCause(e);
            throw se;
        } catch (ClosedChannelException e) {
            IOException f = failureOrNull();
            throw f != null ? failure(f) : new SocketException("Socket closed");
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw failure(e); // a reset or broken pipe: a SocketException, as from NioSocketImpl
        }
    }

    private void awaitWritable() throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            writable = false;
            wantWrite = true;
            writer = Thread.currentThread();
            updateInterest();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (!writable && !closed) {
            if (Thread.interrupted()) {
                interrupted = true;
                break;
            }
            LockSupport.park(this);
        }
        Fairness.waited();
        lock.lock();
        try {
            writer = null;
            wantWrite = false;
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            close();
            throw new SocketException("Closed by interrupt");
        }
        if (closed) {
            IOException f = failureOrNull();
            throw f != null ? failure(f) : new SocketException("Socket closed");
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    /** Closes the channel and wakes a blocked reader and writer; any thread, any number of times. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readDone = true;
        } finally {
            lock.unlock();
        }
        try {
            ch.close(); // cancels the key; the reactor's next select releases the descriptor
        } catch (IOException e) {
            // nothing left to do: the descriptor is released with the key
        }
        reactor.closed(this); // and wakes it, so that it selects (and releases the descriptor) soon
        unpark(reader);
        unpark(writer);
    }

    /**
     * Runs {@code r} once this connection's descriptor is really closed: at once if it is already, else
     * on the reactor after the select that deregisters the closed channel (the JDK closes a registered
     * channel's descriptor only then). A server gives back the connection's slot there, so that a limit
     * on connections is a limit on descriptors too.
     */
    @Override
    public void whenReleased(Runnable r) {
        if (!onReleased.compareAndSet(null, r)) {
            r.run(); // released already
        }
    }

    /** Called once the descriptor is gone (by the reactor, or when it stops); runs what waited for it. */
    void descriptorReleased() {
        if (onReleased.getAndSet(RELEASED) instanceof Runnable r) {
            r.run();
        }
    }

    // ------------------------------------------------------------------ the reactor's side

    void registered(SelectionKey k) {
        lock.lock();
        try {
            key = k;
            if (closed) {
                k.cancel();
            } else {
                updateInterest();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The socket has bytes (or end of stream, or an error): read them into the offer or the stash. */
    void onReadable() {
        Thread wake = null;
        lock.lock();
        try {
            if (closed || eof || failure != null) {
                updateInterest();
                return;
            }
            ByteBuffer s = reactor.scratch;
            s.clear();
            if (offer != null && !readDone) {
                s.limit(Math.min(offerLen, s.capacity()));
                int n = ch.read(s);
                if (n > 0) {
                    s.flip();
                    s.get(offer, offerOff, n);
                    filled = n;
                    readDone = true;
                    wake = reader;
                } else if (n < 0) {
                    eof = true;
                    readDone = true;
                    wake = reader;
                    updateInterest();
                }
            } else {
                int room = Reactor.READ_CHUNK - (stash == null ? 0 : stashLim - stashPos);
                if (room <= 0) {
                    readPaused = true; // held back until the tasklet takes the stash
                    updateInterest();
                    return;
                }
                s.limit(room);
                int n = ch.read(s);
                if (n > 0) {
                    s.flip();
                    appendStash(s, n);
                } else if (n < 0) {
                    eof = true; // seen by the next read, after the stash
                    updateInterest();
                }
            }
        } catch (IOException e) {
            failure = e;
            readDone = true;
            wake = reader;
            updateInterest();
        } finally {
            lock.unlock();
        }
        unpark(wake);
    }

    /** The socket's send buffer has room again. */
    void onWritable() {
        Thread wake;
        lock.lock();
        try {
            wantWrite = false;
            writable = true;
            wake = writer;
            updateInterest();
        } finally {
            lock.unlock();
        }
        unpark(wake);
    }

    /** The reactor cannot serve this connection any more (it stopped, or registration failed). */
    void failed(IOException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            readDone = true;
        } finally {
            lock.unlock();
        }
        close();
    }

    // ------------------------------------------------------------------ helpers (under the lock)

    private int takeStash(byte[] b, int off, int len) {
        int n = Math.min(len, stashLim - stashPos);
        System.arraycopy(stash, stashPos, b, off, n);
        stashPos += n;
        if (stashPos == stashLim) {
            stash = null;
            stashPos = 0;
            stashLim = 0;
            if (readPaused) {
                readPaused = false;
                updateInterest();
            }
        }
        return n;
    }

    private void appendStash(ByteBuffer s, int n) {
        if (stash == null) {
            stash = new byte[Math.max(n, 512)];
            stashPos = 0;
            stashLim = 0;
        } else if (stashLim + n > stash.length) {
            if (stashPos > 0) {
                System.arraycopy(stash, stashPos, stash, 0, stashLim - stashPos);
                stashLim -= stashPos;
                stashPos = 0;
            }
            if (stashLim + n > stash.length) {
                stash = Arrays.copyOf(stash, Math.max(stashLim + n, stash.length * 2));
            }
        }
        s.get(stash, stashLim, n);
        stashLim += n;
    }

    /** Sets the key's interest from the state: read while reading is wanted, write while a writer waits. */
    private void updateInterest() {
        SelectionKey k = key;
        if (k == null) {
            return; // registered later, with the state as it is then
        }
        boolean reading = !closed && !eof && failure == null && !readPaused;
        int ops = (reading ? SelectionKey.OP_READ : 0) | (wantWrite && !closed ? SelectionKey.OP_WRITE : 0);
        try {
            if (k.interestOps() != ops) {
                k.interestOps(ops);
                reactor.wakeup();
            }
        } catch (CancelledKeyException e) {
            // closed: nothing to wait for
        }
    }

    private IOException failureOrNull() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A fresh {@link SocketException} for this caller with {@code f} as its cause: one instance is never
     * thrown twice, and the type is what a blocking socket throws (close reasons depend on it).
     */
    private static SocketException failure(IOException f) {
        SocketException e = new SocketException(f.getMessage());
        e.initCause(f);
        return e;
    }

    private static void unpark(Thread t) {
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
