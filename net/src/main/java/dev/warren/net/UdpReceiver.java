package dev.warren.net;

import dev.warren.net.internal.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A UDP socket read by one tasklet that passes every datagram to a {@link DatagramHandler}.
 *
 * <pre>{@code
 * try (UdpReceiver rx = UdpReceiver.builder().port(9999).receiveBufferSize(4 << 20)
 *         .handler((data, from) -> lines.add(StandardCharsets.UTF_8.decode(data).toString()))
 *         .start()) {
 *     ...
 *     System.out.println(rx.stats().toTree());
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread, except {@link #close()} from the
 * handler: it would wait for the handler's own tasklet, so it throws {@link IllegalStateException} and
 * leaves the receiver running (close from another tasklet instead:
 * {@code Tasklets.start("close", receiver::close)}). {@link #close()} blocks until the
 * receiving tasklet has ended; {@link #stats()} reads {@code /proc/net/udp*} on Linux (a small file
 * read); the others return at once.
 *
 * <p><b>Ownership.</b> The receiver owns its socket, its direct receive buffer (max datagram size + 1
 * bytes, the extra byte detects oversize datagrams) and its tasklet, which runs in the receiver's own
 * scope, owned by the tasklet that called {@link Builder#start()} (if any). The scope is
 * {@linkplain dev.warren.tasklets.TaskletScope.Builder#standalone() standalone}, like a server's: scopes
 * open on the starting thread neither stop the receiver nor are stopped by it.
 *
 * <p><b>Closing.</b> {@link #close()} closes the socket, which ends the blocked receive, then waits for
 * the tasklet. A datagram whose handler is running is finished first unless the handler blocks (it is
 * then interrupted). Closing twice is harmless.
 */
public interface UdpReceiver extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /**
     * A UDP receiver's listener defaults, for {@link Builder#listener(ListenerOptions)}: {@link
     * ListenerOptions#defaults()} named {@code udp-receiver} (only name, bind address and port apply).
     */
    static ListenerOptions defaultListener() {
        return ListenerOptions.defaults().withName("udp-receiver");
    }

    /** The bound port (the real one when started with port 0). */
    int port();

    /** The bound address. */
    InetSocketAddress localAddress();

    /** The counters now; see {@link UdpStats}. */
    UdpStats stats();

    /**
     * Closes the socket and waits for the receiving tasklet to end.
     *
     * @throws IllegalStateException if called from the handler (the receiving tasklet, or a tasklet below
     *     it), which it would wait for; the receiver is left running
     */
    @Override
    void close();

    /** Configures a {@link UdpReceiver}; options are checked when set. Not thread-safe. */
    final class Builder {
        ListenerOptions listener = defaultListener();
        int receiveBufferSize; // 0 = the system default
        int maxDatagramSize = 65507;
        DatagramHandler handler;

        Builder() {}

        /**
         * Takes the name, bind address and port of {@code options}, replacing what was set before. A
         * datagram socket has no connections: the connection limits, timeouts and TCP options of {@code
         * options} do not apply to it and are ignored.
         */
        public Builder listener(ListenerOptions options) {
            Objects.requireNonNull(options, "listener");
            if (options.tls() != null) {
                throw new IllegalArgumentException(
                        "a UDP receiver has no TLS (DTLS is not supported): its listener options must have tls null");
            }
            this.listener = options;
            return this;
        }

        /** The listener options as set so far (only name, bind address and port apply). */
        public ListenerOptions listener() {
            return listener;
        }

        /** The name of the receiver's scope and tasklet. Default "udp-receiver". */
        public Builder name(String name) {
            listener = listener.withName(name);
            return this;
        }

        /** The local address to bind. Default: the wildcard address. */
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

        /** SO_RCVBUF to request, in bytes, {@code > 0}; the kernel may cap it (net.core.rmem_max). */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = Checks.positive("receiveBufferSize", bytes);
            return this;
        }

        /** The largest datagram accepted, 1..65507 bytes (default 65507); larger ones are counted and dropped. */
        public Builder maxDatagramSize(int bytes) {
            if (bytes < 1 || bytes > 65507) {
                throw new IllegalArgumentException("maxDatagramSize must be 1..65507, was " + bytes);
            }
            this.maxDatagramSize = bytes;
            return this;
        }

        /** Required: what runs for each datagram. */
        public Builder handler(DatagramHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Binds the socket and starts the receiving tasklet.
         *
         * @throws IllegalStateException if no handler was set
         * @throws UncheckedIOException if the socket cannot be bound
         */
        public UdpReceiver start() {
            if (handler == null) {
                throw new IllegalStateException("handler must be set before start()");
            }
            try {
                return UdpReceiverImpl.start(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind UDP " + listener.bindText() + ": " + e.getMessage(), e);
            }
        }
    }
}
