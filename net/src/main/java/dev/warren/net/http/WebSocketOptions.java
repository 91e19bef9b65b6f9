package dev.warren.net.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How a WebSocket endpoint behaves, on either side: the largest message it takes, its idle timeout and
 * whether it speaks {@code permessage-deflate} (RFC 7692). Immutable and thread-safe; build one with
 * {@link #builder()} and hand it to {@link Router.Builder#websocket(String, WebSocketOptions,
 * WebSocketHandler)} or {@link WebSocketClient#connect(java.net.URI, WebSocketOptions)}.
 *
 * <pre>{@code
 * WebSocketOptions opts = WebSocketOptions.builder().maxMessageBytes(64 * 1024).permessageDeflate(true).build();
 * router.websocket("/ws", opts, ws -> { ... });
 * }</pre>
 *
 * <p><b>Compression.</b> With {@link Builder#permessageDeflate(boolean)} a server accepts a client's
 * {@code permessage-deflate} offer and a client makes one; when both agree, messages of at least
 * {@link Builder#compressionThreshold(int) the threshold} are sent compressed and compressed messages are
 * inflated on receipt (an inflated message over the message limit closes with 1009, so a small
 * compressed frame cannot make the receiver allocate without bound). By default each side keeps its
 * compression context from message to message (better ratios; about 300 KB of native zlib memory per
 * WebSocket once it has compressed or inflated a message); {@link Builder#contextTakeover(boolean)
 * contextTakeover(false)} asks both sides to start every message afresh, which costs ratio and saves that
 * memory between messages. Peers that do not offer or accept the extension get plain frames.
 */
public final class WebSocketOptions {
    /** The defaults of a server route: 1 MiB messages, a 60 s idle timeout, no compression. */
    public static final WebSocketOptions SERVER_DEFAULTS = builder().build();

    /** The defaults of a client: 1 MiB messages, no idle timeout, no compression. */
    public static final WebSocketOptions CLIENT_DEFAULTS =
            builder().idleTimeout(null).build();

    private final int maxMessageBytes;
    private final Duration idleTimeout;
    private final boolean permessageDeflate;
    private final boolean contextTakeover;
    private final int compressionThreshold;

    private WebSocketOptions(Builder b) {
        this.maxMessageBytes = b.maxMessageBytes;
        this.idleTimeout = b.idleTimeout;
        this.permessageDeflate = b.permessageDeflate;
        this.contextTakeover = b.contextTakeover;
        this.compressionThreshold = b.compressionThreshold;
    }

    /** A builder with the server defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The largest message taken, in bytes (after inflating a compressed one); larger ones close with 1009. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** How long the peer may be silent before it is pinged (and closed if the pong does not come within as long again); null for never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Whether {@code permessage-deflate} is offered (client) or accepted (server). */
    public boolean permessageDeflate() {
        return permessageDeflate;
    }

    /** Whether compression contexts are kept across messages; false asks for {@code no_context_takeover} both ways. */
    public boolean contextTakeover() {
        return contextTakeover;
    }

    /** Messages shorter than this many bytes are sent uncompressed even when compression was agreed. */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    @Override
    public String toString() {
        return "WebSocketOptions[maxMessageBytes=" + maxMessageBytes + ", idleTimeout=" + idleTimeout
                + ", permessageDeflate=" + permessageDeflate + ", contextTakeover=" + contextTakeover
                + ", compressionThreshold=" + compressionThreshold + "]";
    }

    /** Builds {@link WebSocketOptions}; every setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private int maxMessageBytes = Router.DEFAULT_WEBSOCKET_MESSAGE_BYTES;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private boolean permessageDeflate;
        private boolean contextTakeover = true;
        private int compressionThreshold = 64;

        private Builder() {}

        /**
         * The largest message taken (default 1 MiB).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be > 0, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Pings a peer silent this long, and closes with 1001 if no pong comes within as long again; null
         * for none (default 60 s).
         *
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new IllegalArgumentException("idleTimeout must be > 0 (or null for none), was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** Offers (client) or accepts (server) {@code permessage-deflate}, RFC 7692 (default false). */
        public Builder permessageDeflate(boolean on) {
            this.permessageDeflate = on;
            return this;
        }

        /**
         * Whether each side keeps its compression context between messages (default true); false
         * negotiates {@code server_no_context_takeover} and {@code client_no_context_takeover}.
         */
        public Builder contextTakeover(boolean on) {
            this.contextTakeover = on;
            return this;
        }

        /**
         * Messages shorter than this are sent uncompressed (default 64 bytes: below it deflate's own
         * overhead eats the gain).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder compressionThreshold(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressionThreshold must be >= 0, was " + bytes);
            }
            this.compressionThreshold = bytes;
            return this;
        }

        /** The options. */
        public WebSocketOptions build() {
            return new WebSocketOptions(this);
        }
    }

    static WebSocketOptions of(int maxMessageBytes, Duration idleTimeout) {
        return builder()
                .maxMessageBytes(maxMessageBytes)
                .idleTimeout(idleTimeout)
                .build();
    }

    static WebSocketOptions require(WebSocketOptions options) {
        return Objects.requireNonNull(options, "options");
    }
}
