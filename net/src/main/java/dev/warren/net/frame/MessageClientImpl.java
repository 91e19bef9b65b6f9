package dev.warren.net.frame;

import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.OverflowPolicy;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletFailedException;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Uninterruptibly;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link MessageClient}: a connection-loop tasklet that dials (with backoff) and, per
 * connection, a fail-fast scope with a reader and a writer tasklet. Whichever of the two fails first
 * cancels the other; the loop then redials.
 *
 * <p>The writer is the queue's only consumer. The loops are the same for both delivery modes; what a
 * mode adds is its {@link ClientDelivery}: at least once, the hello, the {@link DeliveryLedger} every
 * message is appended to before it is written (the reader removes from the head as acks arrive), and
 * the acks. After a reconnect the writer first rewrites a snapshot of the ledger, which is in send
 * order, so the server's per-connection counts line up with it again.
 */
final class MessageClientImpl implements MessageClient {
    private static final Logger LOG = LoggerFactory.getLogger(MessageClientImpl.class);

    private final String name;
    private final String host;
    private final int port;
    private final FrameFormat format;
    private final boolean atLeastOnce;
    /** What the delivery mode adds to each connection: nothing, or the hello, the ledger and the acks. */
    private final ClientDelivery delivery;

    private final int capacity;
    private final OverflowPolicy overflow;
    private final ReconnectPolicy reconnect;
    private final ConnectOptions connectOptions;
    private final Duration handshakeTimeout;
    private final Duration drainTimeout;
    private final int maxRead;
    private final Receiver receiver;
    private final Listener listener;

    private final Channel<byte[]> queue;
    private final TaskletScope scope;
    private final Tasklet<Void> loop;

    /** The unacknowledged messages, the settled count, and the condition every wait here parks on. */
    private final DeliveryLedger ledger;

    private volatile State state = State.CONNECTING;
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean closeStarted =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long closeDeadline;
    private volatile Connection current;

    private final LongAdder written = new LongAdder();
    private final LongAdder resent = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder abandoned = new LongAdder();

    MessageClientImpl(MessageClient.Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.name = b.name != null ? b.name : "msg-client " + b.host + ":" + b.port;
        this.format = b.format;
        this.atLeastOnce = b.delivery == DeliveryMode.AT_LEAST_ONCE;
        this.capacity = b.queueCapacity;
        this.ledger = new DeliveryLedger(capacity);
        this.overflow = b.overflow;
        this.reconnect = b.reconnect;
        this.connectOptions = b.connectOptions.withReadTimeout(null);
        this.handshakeTimeout = b.handshakeTimeout;
        this.drainTimeout = b.drainTimeout;
        this.maxRead = b.readBufferSize;
        this.receiver = b.receiver;
        this.listener = b.listener;
        this.delivery =
                ClientDelivery.of(b.delivery, ledger, acknowledged, abandoned, handshakeTimeout, host + ":" + port);
        Channel.Builder<byte[]> qb =
                Channel.<byte[]>builder(capacity).name(name + " outbound").overflow(overflow);
        if (overflow != OverflowPolicy.DROP_OLDEST) {
            qb.singleConsumer();
        }
        this.queue = qb.build();
        this.scope = TaskletScope.supervise(name).standalone().open();
        if (b.beforeStart != null) {
            b.beforeStart.accept(this);
        }
        this.loop = scope.fork(name, this::connectionLoop);
    }

    // ------------------------------------------------------------------ sending

    @Override
    public boolean send(byte[] payload) throws InterruptedException {
        format.checkPayload(payload.length);
        if (closing || state == State.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
        try {
            if (overflow == OverflowPolicy.DROP_NEWEST || overflow == OverflowPolicy.DROP_OLDEST) {
                return queue.offer(payload);
            }
            queue.send(payload);
            return true;
        } catch (ChannelClosedException e) {
            throw new IllegalStateException(name + " is closed", e);
        }
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return ledger.await(() -> ledger.idle(queue), timeout.toNanos());
    }

    @Override
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        State[] seen = new State[1]; // the state the wait ended on, read under the ledger's lock
        return ledger.await(() -> (seen[0] = state) == State.UP || seen[0] == State.CLOSED, timeout.toNanos())
                && seen[0] == State.UP;
    }

    private void setState(State s) {
        ledger.changed(() -> state = s);
    }

    // ------------------------------------------------------------------ the connection loop

    private void connectionLoop() {
        long downSince = System.nanoTime();
        int attempt = 0;
        try {
            while (true) {
                if (closing && (drained() || System.nanoTime() - closeDeadline > 0)) {
                    return;
                }
                Connection c;
                try {
                    c = TcpClient.connect(host, port, connectOptions);
                } catch (IOException e) {
                    connectFailures.increment();
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    Duration giveUp = reconnect.giveUpAfter();
                    if (giveUp != null && !closing && System.nanoTime() - downSince > giveUp.toNanos()) {
                        giveUp(e);
                        return;
                    }
                    Duration wait = reconnect.delay(attempt++);
                    LOG.debug("{}: connect failed ({}), retrying in {} ms", name, e.toString(), wait.toMillis());
                    Thread.sleep(wait);
                    continue;
                }
                Link link = new Link(c);
                Throwable cause = runConnection(link);
                if (cause == null) {
                    return; // closed and drained
                }
                disconnects.increment();
                setState(State.CONNECTING);
                LOG.debug("{}: connection down: {}", name, cause.toString());
                if (link.wasUp) {
                    attempt = 0;
                    downSince = System.nanoTime();
                    listener.down(this, cause);
                } else {
                    // Connected but never up (the hello went unanswered...): as bad as a refused connect.
                    Duration giveUp = reconnect.giveUpAfter();
                    if (giveUp != null && !closing && System.nanoTime() - downSince > giveUp.toNanos()) {
                        giveUp(cause);
                        return;
                    }
                }
                // Even after a connection that was up: a peer that accepts and hangs up at once must not
                // make us spin.
                Thread.sleep(reconnect.delay(attempt++));
            }
        } catch (InterruptedException e) {
            // close() cancelled us after the drain timeout
        } finally {
            setState(State.CLOSED);
        }
    }

    private boolean drained() {
        return ledger.drained(queue);
    }

    private void giveUp(Throwable last) {
        LOG.info("{}: giving up, {}:{} unreachable for more than {}", name, host, port, reconnect.giveUpAfter());
        queue.close();
        abandonLeftovers(); // no connection runs now, so this loop is the queue's only consumer
        setState(State.CLOSED);
        listener.gaveUp(this, last);
    }

    /** Serves one connection; returns null when the client closed and drained, else why it went down. */
    private Throwable runConnection(Link link) throws InterruptedException {
        Connection c = link.conn;
        current = c;
        Object[] resend = ledger.unackedSnapshot();
        try (TaskletScope conn = TaskletScope.failFast(name + " " + c).open()) {
            conn.fork(name + " reader", () -> readLoop(link));
            conn.fork(name + " writer", () -> writeLoop(link, resend));
            conn.join();
            return null;
        } catch (TaskletFailedException e) {
            return e.getCause() != null ? e.getCause() : e;
        } finally {
            c.abort();
            current = null;
        }
    }

    /** One connection's shared state. */
    private static final class Link {
        final Connection conn;
        final CountDownLatch handshake = new CountDownLatch(1);
        volatile boolean finishing;
        /** Set once the connection is up (at least once: the hello was answered). */
        volatile boolean wasUp;

        Link(Connection conn) {
            this.conn = conn;
        }
    }

    // ------------------------------------------------------------------ writer

    private void writeLoop(Link link, Object[] resend) throws IOException, InterruptedException {
        Connection c = link.conn;
        byte[] header = new byte[format.headerSize()];
        delivery.hello(c, m -> writeFrame(c, header, m), link.handshake);
        connects.increment();
        link.wasUp = true;
        setState(State.UP);
        listener.up(this);
        if (resend.length > 0) {
            for (Object m : resend) {
                writeFrame(c, header, (byte[]) m);
            }
            c.flush();
            written.add(resend.length);
            resent.add(resend.length);
            LOG.debug("{}: resent {} unacknowledged messages", name, resend.length);
        }
        for (; ; ) {
            delivery.awaitRoom();
            byte[] m;
            try {
                m = queue.receive();
            } catch (ChannelClosedException end) {
                finish(link);
                return;
            }
            int batch = 0;
            boolean flushed = false;
            try {
                for (; ; ) {
                    boolean more = delivery.admit(m);
                    batch++;
                    writeFrame(c, header, m);
                    if (!more) {
                        break;
                    }
                    m = queue.poll();
                    if (m == null) {
                        break;
                    }
                }
                c.flush();
                written.add(batch);
                flushed = true;
            } finally {
                if (!flushed) {
                    delivery.unflushed(batch);
                }
                ledger.settle(batch);
            }
        }
    }

    private void writeFrame(Connection c, byte[] header, byte[] m) throws IOException {
        format.writeHeader(m.length, header, 0);
        c.write(header, 0, header.length);
        c.write(m, 0, m.length);
    }

    /** The queue is closed and empty: wait for the last acks (bounded by the close deadline), then close. */
    private void finish(Link link) throws IOException, InterruptedException {
        link.conn.flush();
        delivery.finishing(closeDeadline);
        link.finishing = true;
        link.conn.close();
    }

    // ------------------------------------------------------------------ reader

    private void readLoop(Link link) throws Exception {
        Connection c = link.conn;
        FrameInput input = new FrameInput(format, maxRead, false);
        FrameInput.Reader reader = (b, len) -> c.readUpTo(b, 0, len);
        ClientDelivery.ReadState rs = delivery.newReadState(link.handshake);
        try {
            for (; ; ) {
                ByteBuffer p;
                while ((p = input.next()) != null) {
                    p = delivery.frame(p, rs);
                    if (p == null) {
                        continue; // the mode's own frame (an ack)
                    }
                    received.increment();
                    if (receiver != null) {
                        receiver.onMessage(p);
                    }
                }
                if (!input.fill(reader)) {
                    if (link.finishing) {
                        return;
                    }
                    input.endOfStream();
                    throw new EOFException("connection closed by the server");
                }
            }
        } catch (IOException e) {
            if (link.finishing) {
                return; // the writer closed the socket under us: the client is closing
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ closing and queries

    /** Refuses a close from the client's own tasklets, which it would wait for. */
    void checkNotInside() {
        if (scope.isCallerInside()) {
            throw TaskletScope.selfWaitRefused(
                    "message client '" + name + "'",
                    "closed",
                    "close it from another tasklet, e.g. Tasklets.start(\"close\", client::close)");
        }
    }

    @Override
    public void close() {
        checkNotInside();
        if (!closeStarted.compareAndSet(false, true)) {
            awaitLoop(Duration.ofNanos(Long.MAX_VALUE)); // a second closer waits for the first
            return;
        }
        closeDeadline = System.nanoTime() + drainTimeout.toNanos();
        closing = true;
        queue.close();
        ledger.changed(() -> {}); // wakes the writer's wait for room: it sees the queue closed
        awaitLoop(drainTimeout.plusMillis(100));
        scope.close(); // cancels what is still running and waits for it
        abandonLeftovers();
        setState(State.CLOSED);
        long notDelivered = abandoned.sum();
        if (notDelivered > 0) {
            LOG.info("{}: closed with {} messages not delivered", name, notDelivered);
        }
        checkAccounting();
    }

    /**
     * Counts every message still queued or unacknowledged as abandoned, once. Called when no writer runs
     * (the client gave up, or its scope is closed).
     */
    private void abandonLeftovers() {
        ledger.abandonAll(queue, abandoned);
    }

    /**
     * Every accepted message ends counted exactly once: delivered (written at most once, acknowledged
     * at least once), abandoned, or evicted by DROP_OLDEST. Anything else is our bug.
     */
    private void checkAccounting() {
        long accepted = queue.sentCount();
        long delivered = delivery.delivered(written.sum());
        long evicted = overflow == OverflowPolicy.DROP_OLDEST ? queue.droppedCount() : 0;
        long gone = abandoned.sum();
        if (accepted != delivered + gone + evicted) {
            LOG.error(
                    "bug: {} accepted {} messages but accounts for {}: {} delivered, {} abandoned, {} evicted",
                    name,
                    accepted,
                    delivered + gone + evicted,
                    delivered,
                    gone,
                    evicted);
        }
    }

    private void awaitLoop(Duration timeout) {
        Uninterruptibly.awaitOnce(() -> {
            try {
                loop.join(timeout);
            } catch (TimeoutException | CancellationException | TaskletFailedException e) {
                LOG.debug("{}: connection loop did not end cleanly: {}", name, e.toString());
            }
        });
    }

    @Override
    public State state() {
        return state;
    }

    boolean atLeastOnce() {
        return atLeastOnce;
    }

    OverflowPolicy overflowPolicy() {
        return overflow;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MessageClientStats stats() {
        long inQueue = queue.size();
        long un = ledger.unackedCount();
        return new MessageClientStats(
                queue.sentCount(),
                queue.droppedCount(),
                written.sum(),
                resent.sum(),
                acknowledged.sum(),
                received.sum(),
                inQueue,
                un,
                connects.sum(),
                connectFailures.sum(),
                disconnects.sum(),
                abandoned.sum());
    }

    @Override
    public String toString() {
        Connection c = current;
        return "MessageClient[" + name + ", " + state + (c != null ? ", " + c : "") + "]";
    }
}
