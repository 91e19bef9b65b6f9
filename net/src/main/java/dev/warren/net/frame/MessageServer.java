package dev.warren.net.frame;

import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A server of length-prefixed messages: a {@link TcpServer} whose connection tasklets cut frames out of
 * the byte stream and call a {@link MessageHandler} for each, in order.
 *
 * <pre>{@code
 * try (MessageServer server = MessageServer.builder()
 *         .port(7000)
 *         .format(FrameFormat.buffStreams(4096))
 *         .handler((conn, payload) -> conn.reply(payload)) // echo
 *         .start()) {
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p><b>Wire.</b> By default a connection speaks the plain format: frames in, frames out, byte for byte
 * what a BuffStreams (or, with {@link FrameFormat#fixed32}, Netty) peer writes and reads. A
 * {@link MessageClient} in {@link DeliveryMode#AT_LEAST_ONCE} mode opens with a 16-byte hello frame; the
 * server then acknowledges handled messages on that connection (see {@link MessageClient}). Turn that
 * off with {@link Builder#acknowledgements(boolean)}: the hello is then an ordinary message. (A plain
 * client whose very first message is exactly those 16 bytes would be switched to acknowledgements too;
 * a server whose clients may send arbitrary binary first messages and never use at-least-once should
 * turn them off.)
 *
 * <p><b>Bad input.</b> A frame longer than the maximum, a negative length, a varint header that does
 * not terminate, or a connection that ends inside a frame closes <em>that</em> connection: logged at
 * INFO with the reason and the bad value, counted in {@link MessageServerStats#badFrames()} by
 * {@link FrameException.Reason} and in the TCP stats as
 * {@link dev.warren.net.CloseReason#PROTOCOL_ERROR}. The server and every other connection carry on.
 *
 * <p><b>Batching and memory.</b> A connection allocates its read buffer when the first bytes arrive
 * (an idle connection holds none); the buffer starts small ({@value #INITIAL_READ_BUFFER} bytes) and
 * doubles, up to
 * {@linkplain Builder#readBufferSize the read buffer size}, whenever a read fills it. Replies are
 * buffered and flushed once per read (see {@link MessageConnection}).
 *
 * <p><b>Threading, ownership, closing</b>: as for {@link TcpServer}; {@link #close()} stops accepting,
 * ends at once the connections that wait for their next message with nothing in flight, lets the
 * others finish the message they are reading or handling for up to the drain timeout, then cancels
 * them. A server with nothing in flight closes at once. From a {@link MessageHandler},
 * {@code close} and {@code awaitTermination} would wait for the handler itself: they throw
 * {@link IllegalStateException} (close from another tasklet instead).
 */
public interface MessageServer extends AutoCloseable {

    /** The size of a connection's read buffer before its first full read. */
    int INITIAL_READ_BUFFER = 2048;

    /** A builder with the defaults listed on each option. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * A message server's listener defaults, for {@link Builder#listener(ListenerOptions)}: {@link
     * ListenerOptions#defaults()} named {@code msg-server}.
     */
    static ListenerOptions defaultListener() {
        return ListenerOptions.defaults().withName("msg-server");
    }

    /** The port the server listens on (the real one when started with port 0). */
    int port();

    /** The address the server listens on. */
    InetSocketAddress localAddress();

    /** The frame format of every connection. */
    FrameFormat format();

    /** The counters now; never blocks. */
    MessageServerStats stats();

    /** Blocks until the server was closed and every one of its tasklets has ended. */
    void awaitTermination() throws InterruptedException;

    /** Like {@link #awaitTermination()}, at most {@code timeout}; true if the server terminated. */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Stops accepting, closes the connections waiting between messages, drains the others, cancels what is
     * left and waits for it; see the class comment.
     */
    @Override
    void close();

    /**
     * Configures a {@link MessageServer}. Every option is checked when set and the message names the bad
     * value. Not thread-safe.
     */
    final class Builder {
        ListenerOptions listener = defaultListener();
        FrameFormat format = FrameFormat.buffStreams(4096);
        MessageHandler handler;
        boolean acknowledgements = true;
        int readBufferSize = 65536;
        int writeBufferSize = 16384;

        Builder() {}

        /**
         * Takes every listener option at once (name, address, port, backlog, connection limit and policy,
         * read, idle and drain timeouts, TCP_NODELAY, reactor), replacing what was set before; the
         * setters below change single ones. Start from {@link MessageServer#defaultListener()}.
         */
        public Builder listener(ListenerOptions options) {
            this.listener = Objects.requireNonNull(options, "listener");
            return this;
        }

        /** The listener options as set so far. */
        public ListenerOptions listener() {
            return listener;
        }

        /** The name of the server's scope and the prefix of its tasklets. Default "msg-server". */
        public Builder name(String name) {
            listener = listener.withName(name);
            return this;
        }

        /** The local address to listen on; default every local address. */
        public Builder bindAddress(InetAddress address) {
            listener = listener.withBindAddress(address);
            return this;
        }

        /** Like {@link #bindAddress(InetAddress)}, by name or literal. */
        public Builder bindAddress(String host) {
            listener = listener.withBindAddress(host);
            return this;
        }

        /** The port, 0..65535; 0 (the default) picks a free one. */
        public Builder port(int port) {
            listener = listener.withPort(port);
            return this;
        }

        /** The frame format (and so the maximum message size). Default {@code buffStreams(4096)}. */
        public Builder format(FrameFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Required: what runs for each message. */
        public Builder handler(MessageHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Whether a client may switch its connection to at-least-once mode with the hello frame. Default
         * true. When false the hello is delivered to the handler like any message.
         */
        public Builder acknowledgements(boolean on) {
            this.acknowledgements = on;
            return this;
        }

        /**
         * The most connections served at once (more wait in the backlog). Default {@link
         * TcpServer#defaultMaxConnections()}, derived from the process's descriptor limit.
         */
        public Builder maxConnections(int max) {
            listener = listener.withMaxConnections(max);
            return this;
        }

        /** Closes connections on which nothing was read or written for this long, {@code > 0}. Default none. */
        public Builder idleTimeout(Duration timeout) {
            listener = listener.withIdleTimeout(Objects.requireNonNull(timeout, "idleTimeout"));
            return this;
        }

        /** How long {@link MessageServer#close()} lets connections finish, {@code >= 0}. Default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            listener = listener.withDrainTimeout(timeout);
            return this;
        }

        /**
         * See {@link dev.warren.net.TcpServer.Builder#closeWarningAfter}: when a stuck close names its
         * tasklets, {@code > 0}. Default 10 s.
         */
        public Builder closeWarningAfter(Duration after) {
            listener = listener.withCloseWarningAfter(after);
            return this;
        }

        /**
         * The largest read buffer of a connection, {@code >= }{@value MessageServer#INITIAL_READ_BUFFER}
         * bytes; default 64 KiB. Frames larger than it are still read (assembled by the decoder).
         */
        public Builder readBufferSize(int bytes) {
            if (bytes < INITIAL_READ_BUFFER) {
                throw new IllegalArgumentException(
                        "readBufferSize must be >= " + INITIAL_READ_BUFFER + ", was " + bytes);
            }
            this.readBufferSize = bytes;
            return this;
        }

        /** The reply buffer of a connection (allocated on the first reply), {@code >= 64}; default 16 KiB. */
        public Builder writeBufferSize(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("writeBufferSize must be >= 64, was " + bytes);
            }
            this.writeBufferSize = bytes;
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws IllegalStateException if no handler was set
         * @throws java.io.UncheckedIOException if the socket cannot be bound
         */
        public MessageServer start() {
            if (handler == null) {
                throw new IllegalStateException("handler must be set before start()");
            }
            return MessageServerImpl.start(this);
        }
    }
}
