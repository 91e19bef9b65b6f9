package dev.warren.net.frame;

import dev.warren.net.Connection;
import dev.warren.net.TcpServer;
import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.TaskletScope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one {@link MessageServer}: a {@link TcpServer} whose handler runs a {@link Session} per connection. */
final class MessageServerImpl implements MessageServer {
    private static final Logger LOG = LoggerFactory.getLogger(MessageServerImpl.class);
    /** The first read of a connection: at least the connection's input buffer (64), so it bypasses it. */
    private static final int BUSY = 0;

    private static final int IDLE = 1;
    private static final int CLOSED = 2;

    private final String name;
    private final FrameFormat format;
    private final MessageHandler handler;
    private final boolean acknowledgements;
    private final int maxRead;
    private final TcpServer tcp;
    private final dev.warren.tasklets.observe.MetricRegistry.Registration metrics; // null: metrics off
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder acksOut = new LongAdder();
    private final EnumMap<FrameException.Reason, LongAdder> badFrames = new EnumMap<>(FrameException.Reason.class);
    /** Sessions now serving; close() ends at once those that wait for a message with nothing in flight. */
    private final Set<Session> live = ConcurrentHashMap.newKeySet();

    private volatile boolean closing;

    private MessageServerImpl(MessageServer.Builder b) {
        this.name = b.listener.name();
        this.format = b.format;
        this.handler = b.handler;
        this.acknowledgements = b.acknowledgements;
        this.maxRead = b.readBufferSize;
        for (FrameException.Reason r : FrameException.Reason.values()) {
            badFrames.put(r, new LongAdder());
        }
        TcpServer.Builder t = TcpServer.builder()
                .listener(b.listener)
                // Reads go straight from the socket into the session's own buffer (reads at least as
                // large as the connection's input buffer skip it), so that buffer is never allocated.
                .inputBufferSize(64)
                .outputBufferSize(b.writeBufferSize)
                .protocol("framed")
                .handler(this::serve);
        this.tcp = t.start();
        this.metrics = dev.warren.tasklets.observe.MetricRegistry.libraryMetrics()
                ? dev.warren.tasklets.observe.MetricRegistry.global().register(this::collect)
                : null;
    }

    /** The framed-message series of this server, read from its counters at scrape time. */
    private void collect(dev.warren.tasklets.observe.MetricSink out) {
        MessageServerStats st = stats();
        String server = tcp.name();
        out.counter(
                "warren_framed_messages_received_total",
                "Framed messages handed to the handler",
                st.messagesIn(),
                "server",
                server);
        out.counter("warren_framed_messages_sent_total", "Framed replies written", st.messagesOut(), "server", server);
        out.counter(
                "warren_framed_acks_sent_total",
                "Acknowledgement frames written to at-least-once clients",
                st.acksOut(),
                "server",
                server);
        for (java.util.Map.Entry<FrameException.Reason, Long> e : st.badFrames().entrySet()) {
            out.counter(
                    "warren_framed_bad_frames_total",
                    "Connections closed for a bad frame, by reason",
                    e.getValue(),
                    "server",
                    server,
                    "reason",
                    e.getKey().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    static MessageServer start(MessageServer.Builder b) {
        return new MessageServerImpl(b);
    }

    private void serve(Connection conn) throws Exception {
        Session s = new Session(conn);
        live.add(s);
        try {
            if (closing) {
                return; // accepted as the server closed: nothing in flight to drain
            }
            s.run();
        } catch (FrameException e) {
            badFrames.get(e.reason()).increment();
            LOG.info("{}: closing {} after a bad frame ({}): {}", name, conn, e.reason(), e.getMessage());
            throw conn.protocolError(e.getMessage());
        } catch (IOException e) {
            if (!s.closedWhileIdle()) {
                throw e;
            } // closed by close() while it waited for a message with nothing in flight: a normal end
        } finally {
            live.remove(s);
            s.count();
        }
    }

    /** The state of one connection, used by its tasklet only (except {@link #close()}). */
    private final class Session implements MessageConnection {
        private final Connection conn;
        private final FrameInput input = new FrameInput(format, maxRead, true);
        /** {@link #read}, made once: the read loop passes it to every {@link FrameInput#fill}. */
        private final FrameInput.Reader reader = this::read;

        private final byte[] header = new byte[Math.max(format.headerSize(), 4) + AckProtocol.ACK_SIZE];
        private boolean ackMode;
        private long in;
        private long out;
        private long countedIn;
        private long countedOut;
        private long acked;
        private boolean wroteSinceFlush;
        /** BUSY, or IDLE while waiting for bytes with no frame begun, or CLOSED by close() while IDLE. */
        private final AtomicInteger state = new AtomicInteger(BUSY);

        Session(Connection conn) {
            this.conn = conn;
        }

        /** Reads into {@code b}; between frames the session counts as idle meanwhile, and close() may end it. */
        private int read(byte[] b, int len) throws IOException {
            boolean idle = !input.isMidFrame();
            if (idle) {
                state.set(IDLE);
                if (closing && state.compareAndSet(IDLE, CLOSED)) {
                    conn.abort();
                    return -1;
                }
            }
            int n = conn.readUpTo(b, 0, len);
            if (idle && !state.compareAndSet(IDLE, BUSY)) {
                return -1; // close() ended it while it waited
            }
            return n;
        }

        /** Called by close(): ends the session if it waits for a message with nothing in flight. */
        void closeIfIdle() {
            if (state.compareAndSet(IDLE, CLOSED)) {
                conn.abort();
            }
        }

        boolean closedWhileIdle() {
            return state.get() == CLOSED;
        }

        void run() throws Exception {
            // The input is lazy: no read buffer until the peer sends something, so a connection that
            // stays idle holds only its tasklet and socket.
            boolean first = acknowledgements;
            // A full input buffer holds many messages and the next read returns at once: the session
            // must give its carrier back now and then (one unit per message).
            Fairness.Budget budget = Fairness.budget();
            for (; ; ) {
                ByteBuffer payload;
                while ((payload = input.next()) != null) {
                    if (first) {
                        first = false;
                        if (AckProtocol.isHello(payload)) {
                            ackMode = true;
                            writeAck();
                            continue;
                        }
                    }
                    in++;
                    handler.onMessage(this, payload);
                    budget.checkpoint();
                }
                endOfBatch();
                if (!input.fill(reader)) {
                    input.endOfStream();
                    return;
                }
            }
        }

        private void endOfBatch() throws IOException {
            count();
            if (ackMode && in > acked) {
                writeAck();
            }
            if (wroteSinceFlush) {
                wroteSinceFlush = false;
                conn.flush();
            }
        }

        void count() {
            if (in != countedIn) {
                messagesIn.add(in - countedIn);
                countedIn = in;
            }
            if (out != countedOut) {
                messagesOut.add(out - countedOut);
                countedOut = out;
            }
        }

        private void writeAck() throws IOException {
            int h = format.headerSize();
            format.writeHeader(AckProtocol.ACK_SIZE, header, 0);
            AckProtocol.putAck(in, header, h);
            conn.write(header, 0, h + AckProtocol.ACK_SIZE);
            acked = in;
            acksOut.increment();
            wroteSinceFlush = true;
        }

        private void writeHeader(int length) throws IOException {
            int h = format.headerSize();
            if (ackMode) {
                if (length > format.maxMessageSize() - 1) {
                    throw new IllegalArgumentException("reply of " + length
                            + " bytes exceeds the maximum message size " + format.maxMessageSize()
                            + " minus the type byte of an at-least-once connection");
                }
                format.writeHeader(length + 1, header, 0);
                header[h] = AckProtocol.TYPE_MESSAGE;
                conn.write(header, 0, h + 1);
            } else {
                format.checkPayload(length);
                format.writeHeader(length, header, 0);
                conn.write(header, 0, h);
            }
        }

        @Override
        public void reply(byte[] payload, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, payload.length);
            writeHeader(length);
            conn.write(payload, offset, length);
            out++;
            wroteSinceFlush = true;
        }

        @Override
        public void reply(ByteBuffer payload) throws IOException {
            int length = payload.remaining();
            if (payload.hasArray()) {
                reply(payload.array(), payload.arrayOffset() + payload.position(), length);
                payload.position(payload.limit());
                return;
            }
            byte[] copy = new byte[length];
            payload.get(copy);
            reply(copy, 0, length);
        }

        @Override
        public void flush() throws IOException {
            wroteSinceFlush = false;
            conn.flush();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return conn.remoteAddress();
        }

        @Override
        public long messagesIn() {
            return in;
        }

        @Override
        public long messagesOut() {
            return out;
        }

        @Override
        public boolean acknowledging() {
            return ackMode;
        }

        @Override
        public void close() {
            conn.abort();
        }

        @Override
        public String toString() {
            return conn.toString();
        }
    }

    @Override
    public int port() {
        return tcp.port();
    }

    @Override
    public InetSocketAddress localAddress() {
        return tcp.localAddress();
    }

    @Override
    public FrameFormat format() {
        return format;
    }

    @Override
    public MessageServerStats stats() {
        Map<FrameException.Reason, Long> bad = new EnumMap<>(FrameException.Reason.class);
        badFrames.forEach((r, n) -> bad.put(r, n.sum()));
        return new MessageServerStats(messagesIn.sum(), messagesOut.sum(), acksOut.sum(), bad, tcp.stats());
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        tcp.awaitTermination();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return tcp.awaitTermination(timeout);
    }

    /**
     * Stops accepting, ends at once the connections that wait for a message with nothing in flight, and
     * lets the others finish the message they are reading and handling for up to the drain timeout.
     */
    @Override
    public void close() {
        if (tcp.isCallerInside()) { // refused before anything changes
            throw TaskletScope.selfWaitRefused(
                    "message server '" + name + "'",
                    "closed",
                    "close it from another tasklet, e.g. Tasklets.start(\"shutdown\", server::close)");
        }
        closing = true;
        for (Session s : live) {
            s.closeIfIdle();
        }
        tcp.close();
        if (metrics != null) {
            metrics.close();
        }
    }

    @Override
    public String toString() {
        return "MessageServer[" + name + " " + tcp + ", " + format + "]";
    }
}
