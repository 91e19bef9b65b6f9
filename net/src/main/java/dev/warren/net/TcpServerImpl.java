package dev.warren.net;

import dev.warren.net.internal.Checks;
import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.TaskletState;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.Uninterruptibly;
import dev.warren.tasklets.observe.LogLimiter;
import dev.warren.tasklets.observe.LogStreams;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link TcpServer}: a blocking {@link ServerSocket} read by an acceptor tasklet that forks a
 * tasklet per connection into the server's supervising scope, plus an optional idle-reaper tasklet.
 *
 * <p>Connection slots are a {@link Semaphore} of {@code maxConnections} permits: under
 * {@link ConnectionLimitPolicy#WAIT} the acceptor takes a permit before {@code accept()} (so the kernel
 * backlog holds the waiting peers), under {@link ConnectionLimitPolicy#CLOSE} it tries for one after.
 * Each connection's tasklet gives its permit back as its last act.
 */
final class TcpServerImpl implements TcpServer {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServerImpl.class);
    /**
     * The first pause after an accept failure that is not the peer's (EMFILE, ENOBUFS): retrying at once
     * would spin. It doubles with each failure in a row, up to {@link #ACCEPT_RETRY_MAX_MILLIS}.
     */
    private static final long ACCEPT_RETRY_MILLIS = 10;

    private static final long ACCEPT_RETRY_MAX_MILLIS = 1000;
    /** One warning per this period about failed accepts, handler bugs and the like, with the count held back. */
    static final Duration WARN_PERIOD = Duration.ofSeconds(10);

    /** Servers started and not yet closed, for the sockets report and the metrics. */
    static final Set<TcpServerImpl> LIVE = ConcurrentHashMap.newKeySet();

    private final String name;
    private final String protocol;
    private final long startedMillis = System.currentTimeMillis();
    private final ServerSocket serverSocket;
    private final InetSocketAddress local;
    private final ConnectionHandler handler;
    private final boolean tcpNoDelay;
    private final int readTimeoutMillis; // 0 = none
    private final long idleNanos; // 0 = none
    private final Duration drainTimeout;
    private final int inSize;
    private final int outSize;
    private final ConnectionLimitPolicy limitPolicy;
    private final int maxConnections;
    private final Semaphore slots;
    private final TaskletScope scope;
    private final Set<ConnectionImpl> live = ConcurrentHashMap.newKeySet();

    private final LongAdder accepted = new LongAdder();
    private final LogLimiter acceptFailures = new LogLimiter(WARN_PERIOD);
    private final LogLimiter handlerErrors = new LogLimiter(WARN_PERIOD);
    private final LogLimiter handshakeFailures = new LogLimiter(WARN_PERIOD);
    /** TLS on every connection, or null for plaintext. */
    private final TlsOptions tls;

    private final int handshakeMillis;
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final java.util.EnumMap<CloseReason, LongAdder> closed = new java.util.EnumMap<>(CloseReason.class);

    private volatile boolean closing;
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition drained = drainLock.newCondition();
    private Tasklet<Void> acceptor;
    private Tasklet<Void> reaper;
    /** Reads every connection's socket when the server was built with {@code reactor(true)}; else null. */
    private final Reactor reactor;

    private TcpServerImpl(TcpServer.Builder b, ServerSocket serverSocket) throws IOException {
        this.serverSocket = serverSocket;
        this.local = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.name = b.listener.name() + " " + ConnectionImpl.format(local);
        this.protocol = b.protocol;
        this.handler = b.handler;
        this.tcpNoDelay = b.listener.tcpNoDelay();
        this.readTimeoutMillis =
                b.listener.readTimeout() == null ? 0 : Checks.millis("readTimeout", b.listener.readTimeout());
        this.idleNanos =
                b.listener.idleTimeout() == null ? 0 : b.listener.idleTimeout().toNanos();
        this.drainTimeout = b.listener.drainTimeout();
        this.inSize = b.inputBufferSize;
        this.outSize = b.outputBufferSize;
        this.limitPolicy = b.listener.limitPolicy();
        this.tls = b.listener.tls();
        this.handshakeMillis = tls == null ? 0 : Checks.millis("handshakeTimeout", tls.handshakeTimeout());
        this.maxConnections = b.listener.maxConnections();
        this.slots = new Semaphore(b.listener.maxConnections());
        for (CloseReason r : CloseReason.values()) {
            closed.put(r, new LongAdder());
        }
        // start() chose a channel's server socket exactly when this server reads through a reactor
        this.reactor = serverSocket.getChannel() != null ? new Reactor(name, this::stopAccepting) : null;
        this.scope = TaskletScope.supervise(name)
                .standalone()
                .closeWarningAfter(b.listener.closeWarningAfter())
                .open();
    }

    /** The reactor only where it can wait without pinning a carrier (JDK 24+); else blocking sockets, said once. */
    private static boolean useReactor(TcpServer.Builder b) {
        if (b.listener.reactor() && !TcpServer.reactorSupported()) {
            if (REACTOR_FALLBACK_TOLD.compareAndSet(false, true)) {
                LOG.warn(
                        "{}: reactor(true) needs JDK 24 or later (this is JDK {}): its selector would pin a carrier"
                                + " while it waits; the connections read their own sockets instead",
                        b.listener.name(),
                        Runtime.version().feature());
            }
            return false;
        }
        return b.listener.reactor();
    }

    private static final AtomicBoolean REACTOR_FALLBACK_TOLD = new AtomicBoolean();

    /** The reactor failed: stop accepting (its connections are closed), rather than accept and fail each one. */
    private void stopAccepting() {
        LOG.error("{}: no longer accepting connections: its reactor failed", name);
        closeQuietly(serverSocket);
    }

    static TcpServer start(TcpServer.Builder b) throws IOException {
        // A reactor needs each connection's channel: a channel's server socket accepts sockets that have one.
        ServerSocket ss = useReactor(b) ? ServerSocketChannel.open().socket() : new ServerSocket();
        try {
            ss.setReuseAddress(b.listener.reuseAddress());
            InetSocketAddress at = b.listener.bindAddress() == null
                    ? new InetSocketAddress(b.listener.port())
                    : new InetSocketAddress(b.listener.bindAddress(), b.listener.port());
            ss.bind(at, b.listener.backlog());
        } catch (IOException | RuntimeException e) {
            ss.close();
            throw e;
        }
        PollerModeCheck.warnOnce();
        TcpServerImpl server;
        try {
            server = new TcpServerImpl(b, ss);
        } catch (IOException | RuntimeException e) {
            ss.close();
            throw e;
        }
        if (server.reactor != null) {
            Reactor r = server.reactor;
            server.scope.fork("reactor " + ConnectionImpl.format(server.local), r::run);
        }
        server.acceptor = server.scope.fork("acceptor " + ConnectionImpl.format(server.local), server::acceptLoop);
        LIVE.add(server);
        NetObservability.started();
        if (server.idleNanos > 0) {
            server.reaper = server.scope.fork("idle-reaper " + ConnectionImpl.format(server.local), server::reapLoop);
        }
        return server;
    }

    // ------------------------------------------------------------------ accepting

    private void acceptLoop() {
        String acceptHint = "accept " + ConnectionImpl.format(local);
        String slotHint = "connection slot (max " + maxConnections + ") on " + ConnectionImpl.format(local);
        long retryMillis = ACCEPT_RETRY_MILLIS;
        while (!closing) {
            if (limitPolicy == ConnectionLimitPolicy.WAIT) {
                Object previous = Tasklets.blockingOn(slotHint);
                try {
                    slots.acquire();
                } catch (InterruptedException e) {
                    return; // close() cancels the acceptor
                } finally {
                    Tasklets.unblocked(previous);
                }
            }
            Socket s;
            Object previous = Tasklets.blockingOn(acceptHint);
            long start = System.nanoTime();
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                if (limitPolicy == ConnectionLimitPolicy.WAIT) {
                    slots.release();
                }
                if (closing || serverSocket.isClosed() || Thread.currentThread().isInterrupted()) {
                    return;
                }
                long heldBack = acceptFailures.admit();
                if (heldBack >= 0) {
                    LOG.warn(
                            "{}: accept failed ({}), retrying in {} ms; {} connections open{}",
                            name,
                            e.toString(),
                            retryMillis,
                            live.size(),
                            acceptFailures.suffix(heldBack));
                }
                LOG.debug("{}: accept failed", name, e);
                try {
                    Thread.sleep(retryMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                retryMillis = Math.min(ACCEPT_RETRY_MAX_MILLIS, retryMillis * 2);
                continue;
            } finally {
                Tasklets.unblocked(previous);
            }
            retryMillis = ACCEPT_RETRY_MILLIS;
            accepted.increment();
            Fairness.afterBlockingCall(System.nanoTime() - start); // a flood of connections never makes it wait
            if (limitPolicy == ConnectionLimitPolicy.CLOSE && !slots.tryAcquire()) {
                // counted before the close, so a peer that sees the close also sees the count
                closed.get(CloseReason.LIMIT).increment();
                closeQuietly(s);
                if (LogStreams.NET_CLOSE.enabled()) {
                    LogStreams.NET_CLOSE.log(
                            "{}: {} closed ({}): {} connections already",
                            name,
                            s.getRemoteSocketAddress(),
                            CloseReason.LIMIT.label(),
                            maxConnections);
                }
                LOG.debug(
                        "{}: connection from {} closed: {} connections already",
                        name,
                        s.getRemoteSocketAddress(),
                        maxConnections);
                continue;
            }
            launch(s);
        }
    }

    private void launch(Socket s) {
        ConnectionImpl c;
        TlsTransport secure;
        try {
            s.setTcpNoDelay(tcpNoDelay);
            ReactorIo io = reactor == null ? null : new ReactorIo(s.getChannel(), reactor);
            Transport plain = io != null ? io : new SocketTransport(s);
            secure = tls == null ? null : new TlsTransport(plain, tls.serverEngine());
            c = new ConnectionImpl(secure != null ? secure : plain, true, inSize, outSize, bytesIn, bytesOut);
            if (readTimeoutMillis > 0) {
                c.readTimeoutMillis(readTimeoutMillis);
            }
            if (io != null) {
                reactor.register(io);
            }
        } catch (IOException e) {
            // The peer went away between accept and setup.
            closeQuietly(s);
            slots.release();
            closed.get(CloseReason.PEER_RESET).increment();
            if (LogStreams.NET_CLOSE.enabled()) {
                LogStreams.NET_CLOSE.log(
                        "{}: {} closed ({}) during setup: {}",
                        name,
                        s.getRemoteSocketAddress(),
                        CloseReason.PEER_RESET.label(),
                        e.toString());
            }
            return;
        }
        live.add(c);
        Tasklet<Void> t;
        try {
            TlsTransport handshake = secure;
            t = scope.fork("conn " + ConnectionImpl.format(c.remoteAddress()), () -> serve(c, handshake));
        } catch (IllegalStateException e) { // the scope closed under us
            finish(c, CloseReason.SHUTDOWN, null);
            return;
        }
        if (t.state() == TaskletState.CANCELLED) {
            finish(c, CloseReason.SHUTDOWN, null); // forked into a cancelled scope: serve() may never run
        }
    }

    // ------------------------------------------------------------------ serving

    /** Serves {@code c} on its own tasklet: the TLS handshake first when {@code tls} is not null, then the handler. */
    private void serve(ConnectionImpl c, TlsTransport tls) {
        c.taskletId = Tasklets.current().map(Tasklet::id).orElse(0L);
        if (tls != null && !handshake(c, tls)) {
            return;
        }
        CloseReason outcome = CloseReason.NORMAL;
        Throwable cause = null;
        try {
            handler.handle(c);
            c.finishOutput();
        } catch (Throwable t) {
            outcome = classify(c, t);
            cause = t;
            if (outcome == CloseReason.ERROR) {
                long heldBack = handlerErrors.admit();
                if (heldBack >= 0) {
                    LOG.error("{}: handler failed on {}{}", name, c, handlerErrors.suffix(heldBack), t);
                }
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("{}: {} closed ({}): {}", name, c, outcome.label(), t.toString());
            }
            if (t instanceof VirtualMachineError err && !(t instanceof StackOverflowError)) {
                finish(c, outcome, cause);
                throw err;
            }
        }
        finish(c, outcome, cause);
    }

    /**
     * The TLS handshake of {@code c}, bounded by the handshake timeout; false if it failed, and then the
     * connection is closed, counted and logged (the peer's fault: INFO, a few per period).
     */
    private boolean handshake(ConnectionImpl c, TlsTransport tls) {
        Object previous = Tasklets.blockingOn("TLS handshake " + c);
        try {
            tls.handshake(handshakeMillis);
            return true;
        } catch (IOException e) {
            CloseReason r;
            if (closing
                    && (e instanceof SocketException || Thread.currentThread().isInterrupted())) {
                r = CloseReason.SHUTDOWN;
            } else if (e instanceof SocketTimeoutException) {
                r = CloseReason.TLS_HANDSHAKE_TIMEOUT;
            } else {
                r = CloseReason.TLS_HANDSHAKE;
            }
            if (r != CloseReason.SHUTDOWN) {
                long heldBack = handshakeFailures.admit();
                if (heldBack >= 0) {
                    LOG.info(
                            "{}: TLS handshake with {} failed, closing it: {}{}",
                            name,
                            ConnectionImpl.format(c.remoteAddress()),
                            e.getMessage(),
                            handshakeFailures.suffix(heldBack));
                }
            }
            finish(c, r, e);
            return false;
        } finally {
            Tasklets.unblocked(previous);
        }
    }

    private CloseReason classify(ConnectionImpl c, Throwable t) {
        CloseReason recorded = c.recordedReason();
        if (recorded != null) {
            return recorded;
        }
        if (closing
                && (t instanceof InterruptedException
                        || t instanceof ClosedByInterruptException
                        || t instanceof SocketException
                        || Thread.currentThread().isInterrupted())) {
            return CloseReason.SHUTDOWN;
        }
        if (t instanceof SocketTimeoutException) {
            return CloseReason.TIMEOUT;
        }
        if (t instanceof ConnectionClosedException || t instanceof ProtocolException) {
            return CloseReason.PROTOCOL_ERROR;
        }
        if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
            return CloseReason.SHUTDOWN; // the tasklet was cancelled
        }
        if (t instanceof IOException) {
            return CloseReason.PEER_RESET;
        }
        return CloseReason.ERROR;
    }

    /** Closes {@code c}, counts it and logs it to {@code net.close}, once; called on its tasklet, or by the acceptor if it never ran. */
    private void finish(ConnectionImpl c, CloseReason outcome, Throwable cause) {
        if (!c.markFinished()) {
            return;
        }
        c.abort(outcome);
        CloseReason r = c.recordedReason();
        closed.get(r).increment();
        if (LogStreams.NET_CLOSE.enabled()) {
            LogStreams.NET_CLOSE.log("{}: {} closed ({}){}", name, c, r.label(), cause == null ? "" : ": " + cause);
        }
        // A reactor's channel keeps its descriptor until the reactor's next select: the slot and the
        // active count wait for that, so that the connection limit (by default derived from the
        // descriptor limit) also bounds the descriptors in use, even when a burst of closes meets a
        // burst of new connections.
        c.whenDescriptorReleased(() -> released(c));
    }

    /** The connection's descriptor is gone: its slot is free, and it no longer counts as active. */
    private void released(ConnectionImpl c) {
        // The slot is free before the connection stops counting as active, so a peer that saw
        // active == 0 is never turned away by the limit.
        slots.release();
        live.remove(c);
        if (closing && live.isEmpty()) {
            drainLock.lock();
            try {
                drained.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    /**
     * Closes idle connections, checking every quarter of the idle timeout (at most every 250 ms, at
     * least every 5 ms), until the server closes. Idle is no read or write for the idle timeout, unless
     * the protocol set its own rule on the connection ({@link Connection#idleCheck}).
     */
    private void reapLoop() {
        long period =
                Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.MILLISECONDS.toNanos(250), idleNanos / 4));
        while (!closing) {
            try {
                Thread.sleep(Duration.ofNanos(period));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (ConnectionImpl c : live) {
                Connection.IdleCheck check = c.idleCheck;
                if (check != null) {
                    try {
                        check.check(now, idleNanos);
                    } catch (RuntimeException e) {
                        LOG.error("{}: the idle check of {} failed, closing it", name, c, e);
                        c.abort(CloseReason.ERROR);
                    }
                } else if (now - c.lastActivity > idleNanos) {
                    LOG.debug("{}: {} idle for more than {} ms, closing", name, c, idleNanos / 1_000_000);
                    c.abort(CloseReason.TIMEOUT);
                }
            }
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public boolean isCallerInside() {
        return scope.isCallerInside();
    }

    /** A close or await from the server's own tasklet would wait for that tasklet: refuse it, saying why. */
    private void checkNotInside(String what) {
        if (scope.isCallerInside()) {
            throw TaskletScope.selfWaitRefused(
                    "server '" + name + "'",
                    what,
                    "close it from another tasklet, e.g. Tasklets.start(\"shutdown\", server::close)");
        }
    }

    @Override
    public void close() {
        checkNotInside("closed");
        if (!closeStarted.compareAndSet(false, true)) {
            awaitUninterruptibly();
            return;
        }
        try {
            closing = true;
            closeQuietly(serverSocket);
            // The acceptor may be waiting for a slot rather than in accept(). It is not joined here: on
            // JDK 25 with few carriers and busy connections, a virtual thread parked in accept() may not
            // see the close until the load stops, so it is waited for last, by scope.close(). A connection
            // it launches meanwhile is cancelled there too.
            acceptor.cancel();
            if (reaper != null) {
                reaper.cancel();
            }
            drain();
            for (ConnectionImpl c : live) {
                c.abort(CloseReason.SHUTDOWN); // the socket close ends a blocked read even before the interrupt
            }
            if (reactor != null) {
                reactor.stop(); // after the aborts: their descriptors are released as it deregisters them
            }
            scope.close(); // cancels (interrupts) what is left and waits for every tasklet
            if (reactor != null) {
                reactor.release(); // in case its tasklet was cancelled before it ever ran
            }
            for (ConnectionImpl c : live) {
                finish(c, CloseReason.SHUTDOWN, null); // forked but cancelled before its tasklet ever ran
            }
        } finally {
            LIVE.remove(this);
            terminated.countDown();
        }
    }

    private void drain() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean interrupted = false;
        drainLock.lock();
        try {
            while (!live.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    drained.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break; // an interrupted closer skips the rest of the drain
                }
            }
        } finally {
            drainLock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitUninterruptibly() {
        Uninterruptibly.await(terminated::await);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }

    // ------------------------------------------------------------------ queries

    @Override
    public int port() {
        return local.getPort();
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public TcpServerStats stats() {
        Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            byReason.put(r, closed.get(r).sum());
        }
        return new TcpServerStats(accepted.sum(), live.size(), byReason, bytesIn.sum(), bytesOut.sum());
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public String name() {
        return name;
    }

    String protocol() {
        return protocol;
    }

    /**
     * This listener as a sockets-report entry: its counters, and its open connections newest first, at most
     * {@code limit} of them, with their total beside.
     */
    Map<String, Object> toTree(int limit, long nowNanos) {
        TcpServerStats st = stats();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", name);
        m.put("protocol", protocol);
        m.put("local", ConnectionImpl.format(local));
        m.put("reactor", reactor != null);
        m.put("tls", tls != null);
        m.put("started_ms", startedMillis);
        m.put("closing", closing);
        m.put("max_connections", maxConnections);
        m.put("accepted", st.accepted());
        m.put("open", st.active());
        Map<String, Object> byReason = new java.util.LinkedHashMap<>();
        st.closed().forEach((r, n) -> byReason.put(r.label(), n));
        m.put("closed", byReason);
        m.put("bytes_in", st.bytesIn());
        m.put("bytes_out", st.bytesOut());
        ConnectionImpl[] newest = newest(live, limit);
        java.util.List<Object> conns = new java.util.ArrayList<>(newest.length);
        for (ConnectionImpl c : newest) {
            conns.add(c.toTree(nowNanos));
        }
        m.put("connections_total", live.size());
        m.put("connections", conns);
        return m;
    }

    /**
     * The {@code limit} newest of {@code conns}, newest first: one pass keeping a heap of the newest seen
     * (its oldest at the top), so 10,000 connections cost {@code n log limit}, not a sort of all of them.
     */
    static ConnectionImpl[] newest(Iterable<ConnectionImpl> conns, int limit) {
        if (limit == 0) {
            return new ConnectionImpl[0];
        }
        java.util.PriorityQueue<ConnectionImpl> heap = new java.util.PriorityQueue<>(
                Math.min(limit, 1024), java.util.Comparator.comparingLong((ConnectionImpl c) -> c.createdNanos));
        for (ConnectionImpl c : conns) {
            if (heap.size() < limit) {
                heap.add(c);
            } else if (c.createdNanos > heap.peek().createdNanos) {
                heap.poll();
                heap.add(c);
            }
        }
        ConnectionImpl[] out = new ConnectionImpl[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll(); // oldest first out of the heap, so fill from the back
        }
        return out;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        checkNotInside("awaited");
        terminated.await();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        checkNotInside("awaited");
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "TcpServer[" + name + ", " + live.size() + " active" + (closing ? ", closing" : "") + "]";
    }
}
