package dev.warren.net;

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
        String name = "udp-receiver";
        InetAddress bindAddress;
        int port;
        int receiveBufferSize; // 0 = the system default
        int maxDatagramSize = 65507;
        DatagramHandler handler;

        Builder() {}

        /** The name of the receiver's scope and tasklet. Default "udp-receiver". */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The local address to bind. Default: the wildcard address. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /** Like {@link #bindAddress(InetAddress)}, by name or literal. */
        public Builder bindAddress(String host) {
            this.bindAddress = Checks.host("bindAddress", host);
            return this;
        }

        /** The port, 0..65535; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = Checks.port(port);
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
                throw new UncheckedIOException(
                        "cannot bind UDP " + (bindAddress == null ? "*" : bindAddress.getHostAddress()) + ":" + port
                                + ": " + e.getMessage(),
                        e);
            }
        }
    }
}
