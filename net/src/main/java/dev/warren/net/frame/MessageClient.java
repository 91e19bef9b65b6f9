package dev.warren.net.frame;

import dev.warren.net.ConnectOptions;
import dev.warren.tasklets.OverflowPolicy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A client that sends length-prefixed messages to one server over a connection it keeps up: it dials in
 * the background and redials after a failure ({@link ReconnectPolicy}: exponential backoff, jitter, a cap,
 * optionally giving up).
 *
 * <pre>{@code
 * try (MessageClient client = MessageClient.builder("127.0.0.1", 7000)
 *         .format(FrameFormat.buffStreams(4096))
 *         .delivery(DeliveryMode.AT_LEAST_ONCE)
 *         .onMessage(reply -> handle(reply))
 *         .start()) {
 *     client.send(bytes);                          // queued; any tasklet may call it
 *     client.awaitIdle(Duration.ofSeconds(5));     // everything written (and here, acknowledged)
 * }
 * }</pre>
 *
 * <p><b>Queue and batching.</b> {@link #send} puts the message on a bounded queue (capacity and
 * {@link OverflowPolicy} from the builder: BLOCK waits for room, DROP_NEWEST / DROP_OLDEST discard and
 * count, FAIL throws {@link dev.warren.tasklets.ChannelFullException}). A message a DROP policy
 * discards is never sent, whatever the delivery mode; it is counted in {@link MessageClientStats#dropped()}. One writer tasklet takes every
 * queued message it finds and flushes once, so a busy client writes many messages per system call.
 *
 * <p><b>Guarantees.</b> See {@link DeliveryMode}. In short: {@code AT_MOST_ONCE} (the default, plain
 * BuffStreams on the wire) may lose messages that were queued or in flight when a connection died;
 * {@code AT_LEAST_ONCE} keeps each message until the server acknowledges it and resends after a
 * reconnect, so nothing accepted is lost unless the client is closed (or gives up) first, but a message
 * may arrive twice. Messages on one connection arrive in the order they were accepted.
 *
 * <p><b>Acknowledgements (wire).</b> An at-least-once client opens each connection with a 16-byte hello
 * frame and waits for the server's answer (an ack of 0). From then on the server's frames carry a type
 * byte: a reply, or a cumulative count of this connection's messages its handler has returned from.
 * The client holds at most {@code queueCapacity} unacknowledged messages; the writer waits for acks
 * beyond that. A peer that does not answer the hello is treated as a failed connection.
 *
 * <p><b>Threading.</b> {@link #send} may be called from any number of tasklets or threads at once.
 * The {@code onMessage} handler and the {@link Listener} run on the client's own tasklets (the handler
 * on the reader, the listener on the connection loop or the writer); {@link #close()} from there would
 * wait for its caller, so it throws {@link IllegalStateException} and leaves the client running (close
 * from another tasklet: {@code Tasklets.start("close", client::close)}).
 *
 * <p><b>Ownership and closing.</b> The client owns its tasklets (in a scope opened by the thread that
 * calls {@link Builder#start()}, owned by that thread's tasklet if it is one, and
 * {@linkplain dev.warren.tasklets.TaskletScope.Builder#standalone() standalone}: scopes open on that
 * thread neither stop the client nor are stopped by it) and its connection. {@link #close()} stops accepting messages, lets the
 * writer send what is queued (and, at least once, waits for the acks) for up to the drain timeout, then
 * cancels whatever is left; {@link MessageClientStats#abandoned()} counts the messages that were then
 * still queued or unacknowledged. Each accepted message is counted once, as delivered, abandoned or
 * evicted (see {@link MessageClientStats}).
 */
public interface MessageClient extends AutoCloseable {

    /** A builder for a client of {@code host:port}. */
    static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** The states of a client's connection. */
    enum State {
        /** Dialling, or waiting before the next attempt. */
        CONNECTING,
        /** Connected (and, at least once, the hello was answered). */
        UP,
        /** Closed by {@link #close()}, or gave up reconnecting: sends throw. */
        CLOSED
    }

    /**
     * Callbacks about the connection, run on the client's own tasklets (keep them short; a
     * {@link MessageClient#close()} from them throws {@link IllegalStateException}).
     */
    interface Listener {
        /** A connection is up. */
        default void up(MessageClient client) {}

        /**
         * A connection that was up went down; the client will redial (after the policy's first delay)
         * unless it is closing or gives up. A connection that never came up (an unanswered at-least-once
         * hello) counts as a failed attempt instead: no callback, and the backoff keeps growing.
         */
        default void down(MessageClient client, Throwable cause) {}

        /**
         * No connection came up for longer than {@link ReconnectPolicy#giveUpAfter()} (counted from the
         * last connection that was up, or from the start): the client stopped.
         */
        default void gaveUp(MessageClient client, Throwable lastFailure) {}
    }

    /** What the client does with a message that the server sent. */
    @FunctionalInterface
    interface Receiver {
        /**
         * Called on the reader tasklet, in order; {@code payload} is valid until it returns. An exception
         * closes the connection (the client redials).
         */
        void onMessage(ByteBuffer payload) throws Exception;
    }

    /**
     * Queues {@code payload} for sending. The client takes the array over: do not change it afterwards.
     * May block under {@link OverflowPolicy#BLOCK} while the queue is full.
     *
     * @return true if it was queued, false if the overflow policy discarded it (DROP_NEWEST)
     * @throws IllegalArgumentException if it is longer than the format's maximum message size
     * @throws IllegalStateException if the client is closed or gave up
     * @throws dev.warren.tasklets.ChannelFullException if the queue is full under {@link OverflowPolicy#FAIL}
     * @throws InterruptedException if interrupted while waiting for room; the message was not queued
     */
    boolean send(byte[] payload) throws InterruptedException;

    /**
     * Waits until every message accepted so far has been written to the socket (at most once) or
     * acknowledged (at least once), at most {@code timeout}.
     *
     * @return true if the client was idle in time
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /** Waits until the connection is up, at most {@code timeout}; true if it is. */
    boolean awaitUp(Duration timeout) throws InterruptedException;

    /** The current state. */
    State state();

    /** The name given to the builder (used in tasklet names and logs). */
    String name();

    /** The counters now; never blocks. */
    MessageClientStats stats();

    /**
     * Stops accepting, drains for up to the drain timeout, then cancels; see the class comment.
     *
     * @throws IllegalStateException if called from the client's own tasklets (the receiver, a listener),
     *     which it would wait for
     */
    @Override
    void close();

    /** Configures a {@link MessageClient}; every option is checked when set. Not thread-safe. */
    final class Builder {
        final String host;
        final int port;
        String name;
        FrameFormat format = FrameFormat.buffStreams(4096);
        DeliveryMode delivery = DeliveryMode.AT_MOST_ONCE;
        int queueCapacity = 8192;
        OverflowPolicy overflow = OverflowPolicy.BLOCK;
        ReconnectPolicy reconnect = ReconnectPolicy.defaults();
        ConnectOptions connectOptions = ConnectOptions.defaults().withBufferSizes(64, 65536);
        Duration handshakeTimeout = Duration.ofSeconds(5);
        Duration drainTimeout = Duration.ofSeconds(5);
        int readBufferSize = 65536;
        Receiver receiver;
        Listener listener = new Listener() {};
        /** For the ConnectionManager: told of the client before any of its tasklets (callbacks) runs. */
        java.util.function.Consumer<MessageClientImpl> beforeStart;

        Builder(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            this.port = port;
        }

        /** The client's name in tasklet names and logs; default {@code msg-client HOST:PORT}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The frame format; must match the server's. Default {@code buffStreams(4096)}. */
        public Builder format(FrameFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** The delivery guarantee; default {@link DeliveryMode#AT_MOST_ONCE}. */
        public Builder delivery(DeliveryMode mode) {
            this.delivery = Objects.requireNonNull(mode, "delivery");
            return this;
        }

        /** The outbound queue's capacity (and, at least once, the most unacknowledged messages). Default 8192. */
        public Builder queueCapacity(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("queueCapacity must be > 0, was " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /** What {@code send} does on a full queue; default {@link OverflowPolicy#BLOCK}. */
        public Builder overflow(OverflowPolicy policy) {
            this.overflow = Objects.requireNonNull(policy, "overflow");
            return this;
        }

        /** How to redial; default {@link ReconnectPolicy#defaults()}. */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "reconnect");
            return this;
        }

        /**
         * Connect timeout, TCP_NODELAY and the output buffer size (one flush carries at most that much);
         * the read timeout and input buffer size are not used. Default: 10 s, on, 64 KiB.
         */
        public Builder connectOptions(ConnectOptions options) {
            this.connectOptions = Objects.requireNonNull(options, "connectOptions");
            return this;
        }

        /** How long an at-least-once client waits for the server's answer to its hello; default 5 s. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive("handshakeTimeout", timeout);
            return this;
        }

        /** How long {@link MessageClient#close()} lets the writer finish; {@code >= 0}, default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "drainTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be >= 0, was " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /** The reader's largest buffer, {@code >= 2048}; default 64 KiB. */
        public Builder readBufferSize(int bytes) {
            if (bytes < MessageServer.INITIAL_READ_BUFFER) {
                throw new IllegalArgumentException(
                        "readBufferSize must be >= " + MessageServer.INITIAL_READ_BUFFER + ", was " + bytes);
            }
            this.readBufferSize = bytes;
            return this;
        }

        /** What to do with messages the server sends (replies); default: count and drop them. */
        public Builder onMessage(Receiver receiver) {
            this.receiver = Objects.requireNonNull(receiver, "receiver");
            return this;
        }

        /** Connection callbacks; default none. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Starts the client: returns at once; the first connection is dialled in the background.
         *
         * @throws IllegalArgumentException if at-least-once is asked with a maximum message size too small
         *     for the hello frame (16 bytes)
         */
        public MessageClient start() {
            if (delivery == DeliveryMode.AT_LEAST_ONCE && format.maxMessageSize() < AckProtocol.HELLO_SIZE) {
                throw new IllegalArgumentException("AT_LEAST_ONCE needs a maximum message size >= "
                        + AckProtocol.HELLO_SIZE + ", was " + format.maxMessageSize());
            }
            return new MessageClientImpl(this);
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be > 0, was " + d);
            }
            return d;
        }
    }
}
