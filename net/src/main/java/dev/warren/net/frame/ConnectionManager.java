package dev.warren.net.frame;

import dev.warren.net.ConnectOptions;
import dev.warren.tasklets.OverflowPolicy;
import dev.warren.tasklets.Tasklets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named peers, each reached through its own {@link MessageClient}: add and remove peers, send to one,
 * broadcast to all, and learn when a peer comes up, goes down or is evicted.
 *
 * <pre>{@code
 * try (ConnectionManager peers = ConnectionManager.builder()
 *         .format(FrameFormat.buffStreams(4096))
 *         .evictAfter(Duration.ofSeconds(30))
 *         .listener(new ConnectionManager.PeerListener() {
 *             public void evicted(String peer, Throwable why) { log.warn("lost {}", peer, why); }
 *         })
 *         .build()) {
 *     peers.add("b", "10.0.0.2", 7000);
 *     peers.send("b", bytes);
 *     peers.broadcast(heartbeat);
 * }
 * }</pre>
 *
 * <p><b>Dead peers.</b> A peer's client notices a dead connection when a read ends (the peer closed or
 * reset it) or a write fails, fires {@link PeerListener#down}, and redials with the manager's
 * {@link ReconnectPolicy}. A peer that stays unreachable for longer than {@code evictAfter} is
 * <em>evicted</em>: removed from the manager, its client closed (undelivered messages counted as
 * abandoned), and {@link PeerListener#evicted} called. A connection that silently stops carrying
 * bytes (a host that vanished without a reset) is only noticed once a write fails.
 *
 * <p><b>Threading.</b> Every method may be called from any tasklet or thread at once. Listener
 * callbacks run on the peers' client tasklets; keep them short. {@link #close()}, and {@link #remove} of
 * the calling peer, from a callback would wait for the callback's own tasklet: they throw
 * {@link IllegalStateException} and change nothing (removing another peer is fine). {@link #send} and {@link #broadcast} block
 * only as the clients' overflow policy says.
 *
 * <p><b>Ownership and closing.</b> The manager owns its clients. {@link #remove} and {@link #close()}
 * close them (each draining for up to the drain timeout).
 */
public final class ConnectionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionManager.class);

    /** Callbacks about peers; every method has an empty default. */
    public interface PeerListener {
        /** A connection to {@code peer} is up. */
        default void up(String peer) {}

        /** The connection to {@code peer} went down; it will be redialled. */
        default void down(String peer, Throwable cause) {}

        /** {@code peer} was unreachable for longer than the eviction time and was removed. */
        default void evicted(String peer, Throwable lastFailure) {}
    }

    /** What to do with a message a peer sent. */
    @FunctionalInterface
    public interface PeerReceiver {
        /** Called on that peer's reader tasklet; {@code payload} is valid until it returns. */
        void onMessage(String peer, ByteBuffer payload) throws Exception;
    }

    private final Builder config;
    private final Map<String, MessageClient> peers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ConnectionManager(Builder b) {
        this.config = b.copy();
    }

    /** A builder with the defaults listed on each option. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds a peer and starts dialling it in the background.
     *
     * @throws IllegalArgumentException if a peer of that name exists, or the port is not 1..65535
     * @throws IllegalStateException if the manager is closed
     */
    public void add(String peer, String host, int port) {
        Objects.requireNonNull(peer, "peer");
        if (closed) {
            throw new IllegalStateException("connection manager '" + config.name + "' is closed");
        }
        MessageClient.Builder cb = MessageClient.builder(host, port)
                .name(config.name + " " + peer)
                .format(config.format)
                .delivery(config.delivery)
                .queueCapacity(config.queueCapacity)
                .overflow(config.overflow)
                .reconnect(config.reconnect.withGiveUpAfter(config.evictAfter))
                .connectOptions(config.connectOptions)
                .drainTimeout(config.drainTimeout)
                .listener(new PeerEvents(peer));
        if (config.receiver != null) {
            PeerReceiver r = config.receiver;
            cb.onMessage(payload -> r.onMessage(peer, payload));
        }
        // Reserve the name first, so two adds of one name cannot both start a client. The reservation
        // learns its client before the client's tasklets run, so a callback can be told from the start
        // that it must not close or remove its own peer.
        Placeholder reserved = new Placeholder();
        cb.beforeStart = c -> reserved.client = c;
        if (peers.putIfAbsent(peer, reserved) != null) {
            throw new IllegalArgumentException("peer '" + peer + "' already exists");
        }
        MessageClient client;
        try {
            client = cb.start();
        } catch (RuntimeException e) {
            peers.remove(peer, reserved);
            throw e;
        }
        if (!peers.replace(peer, reserved, client)) {
            client.close(); // removed or evicted meanwhile
        }
    }

    /**
     * Removes a peer and closes its client (draining what is queued for up to the drain timeout).
     *
     * @return false if there was no such peer
     * @throws IllegalStateException if called from that peer's own callback, whose client it would wait
     *     for; the peer is kept then
     */
    public boolean remove(String peer) {
        checkNotInside(peers.get(Objects.requireNonNull(peer, "peer"))); // throws before the peer is removed
        MessageClient c = peers.remove(peer);
        if (c == null) {
            return false;
        }
        c.close();
        return true;
    }

    /**
     * Queues {@code payload} for {@code peer} (the array is taken over: do not change it afterwards).
     *
     * @return true if queued, false if the peer's overflow policy discarded it
     * @throws IllegalArgumentException if there is no such peer (never added, removed, or evicted)
     * @throws IllegalStateException if the peer is being evicted at this moment
     */
    public boolean send(String peer, byte[] payload) throws InterruptedException {
        MessageClient c = peers.get(Objects.requireNonNull(peer, "peer"));
        if (c == null || c instanceof Placeholder) {
            throw new IllegalArgumentException("no peer named '" + peer + "'");
        }
        return c.send(payload);
    }

    /**
     * Queues {@code payload} for every peer (all share the array: do not change it afterwards).
     * Peers being evicted at this moment are skipped.
     *
     * @return the number of peers it was queued for
     */
    public int broadcast(byte[] payload) throws InterruptedException {
        int n = 0;
        for (MessageClient c : List.copyOf(peers.values())) {
            if (c instanceof Placeholder) {
                continue;
            }
            try {
                if (c.send(payload)) {
                    n++;
                }
            } catch (IllegalStateException gone) {
                // closed between the copy and the send: evicted or removed
            }
        }
        return n;
    }

    /** The names of the peers now, sorted. */
    public Set<String> peers() {
        Set<String> names = new TreeSet<>();
        peers.forEach((k, v) -> {
            if (!(v instanceof Placeholder)) {
                names.add(k);
            }
        });
        return names;
    }

    /** The state of {@code peer}'s connection, or empty if there is no such peer. */
    public Optional<MessageClient.State> state(String peer) {
        MessageClient c = peers.get(Objects.requireNonNull(peer, "peer"));
        return c == null || c instanceof Placeholder ? Optional.empty() : Optional.of(c.state());
    }

    /** Each peer's client counters, by peer name (sorted). */
    public Map<String, MessageClientStats> stats() {
        Map<String, MessageClientStats> m = new LinkedHashMap<>();
        for (String p : peers()) {
            MessageClient c = peers.get(p);
            if (c != null && !(c instanceof Placeholder)) {
                m.put(p, c.stats());
            }
        }
        return m;
    }

    /**
     * Closes every peer's client (each drains for up to the drain timeout); later adds throw.
     *
     * @throws IllegalStateException if called from a peer's callback (a listener or receiver), whose
     *     client it would wait for; nothing is closed then
     */
    @Override
    public void close() {
        for (MessageClient c : peers.values()) {
            checkNotInside(c);
        }
        closed = true;
        for (String p : List.copyOf(peers.keySet())) {
            remove(p);
        }
    }

    @Override
    public String toString() {
        return "ConnectionManager[" + config.name + ", peers " + peers() + "]";
    }

    /** Throws if the caller is one of {@code c}'s tasklets (a callback of that peer), which closing it would wait for. */
    private static void checkNotInside(MessageClient c) {
        MessageClientImpl own = c instanceof Placeholder p ? p.client : c instanceof MessageClientImpl i ? i : null;
        if (own != null) {
            own.checkNotInside();
        }
    }

    /** Routes one client's events to the manager's listener, and evicts when the client gives up. */
    private final class PeerEvents implements MessageClient.Listener {
        private final String peer;

        PeerEvents(String peer) {
            this.peer = peer;
        }

        @Override
        public void up(MessageClient client) {
            config.listener.up(peer);
        }

        @Override
        public void down(MessageClient client, Throwable cause) {
            config.listener.down(peer, cause);
        }

        @Override
        public void gaveUp(MessageClient client, Throwable lastFailure) {
            if (!peers.remove(peer, client)) {
                return; // removed by the user meanwhile
            }
            LOG.info("{}: evicted peer '{}': unreachable for more than {}", config.name, peer, config.evictAfter);
            // This runs on the client's own loop tasklet, which close() waits for: close from another one.
            Tasklets.start("close evicted " + client.name(), client::close);
            config.listener.evicted(peer, lastFailure);
        }
    }

    /** Holds a peer's name while its client starts. */
    private static final class Placeholder implements MessageClient {
        /** The client being started, set before its tasklets run; null before that. */
        volatile MessageClientImpl client;

        @Override
        public boolean send(byte[] payload) {
            throw new IllegalStateException("peer is starting");
        }

        @Override
        public boolean awaitIdle(Duration timeout) {
            return true;
        }

        @Override
        public boolean awaitUp(Duration timeout) {
            return false;
        }

        @Override
        public State state() {
            return State.CONNECTING;
        }

        @Override
        public String name() {
            return "placeholder";
        }

        @Override
        public MessageClientStats stats() {
            return new MessageClientStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public void close() {}
    }

    /** Configures a {@link ConnectionManager}; the options apply to every peer's client. Not thread-safe. */
    public static final class Builder {
        String name = "peers";
        FrameFormat format = FrameFormat.buffStreams(4096);
        DeliveryMode delivery = DeliveryMode.AT_MOST_ONCE;
        int queueCapacity = 8192;
        OverflowPolicy overflow = OverflowPolicy.BLOCK;
        ReconnectPolicy reconnect = ReconnectPolicy.defaults();
        Duration evictAfter = Duration.ofSeconds(30);
        ConnectOptions connectOptions = ConnectOptions.defaults().withBufferSizes(64, 65536);
        Duration drainTimeout = Duration.ofSeconds(5);
        PeerListener listener = new PeerListener() {};
        PeerReceiver receiver;

        Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.name = name;
            b.format = format;
            b.delivery = delivery;
            b.queueCapacity = queueCapacity;
            b.overflow = overflow;
            b.reconnect = reconnect;
            b.evictAfter = evictAfter;
            b.connectOptions = connectOptions;
            b.drainTimeout = drainTimeout;
            b.listener = listener;
            b.receiver = receiver;
            return b;
        }

        /** The manager's name, the prefix of its clients' names. Default "peers". */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The frame format of every peer. Default {@code buffStreams(4096)}. */
        public Builder format(FrameFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** The delivery guarantee of every peer; default {@link DeliveryMode#AT_MOST_ONCE}. */
        public Builder delivery(DeliveryMode mode) {
            this.delivery = Objects.requireNonNull(mode, "delivery");
            return this;
        }

        /** Each peer's queue capacity; default 8192. */
        public Builder queueCapacity(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("queueCapacity must be > 0, was " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /** What a send to a peer with a full queue does; default BLOCK. */
        public Builder overflow(OverflowPolicy policy) {
            this.overflow = Objects.requireNonNull(policy, "overflow");
            return this;
        }

        /** How peers are redialled (its give-up time is replaced by {@link #evictAfter}). */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "reconnect");
            return this;
        }

        /** How long a peer may be unreachable before it is evicted, {@code > 0}; default 30 s. */
        public Builder evictAfter(Duration after) {
            Objects.requireNonNull(after, "evictAfter");
            if (after.isNegative() || after.isZero()) {
                throw new IllegalArgumentException("evictAfter must be > 0, was " + after);
            }
            this.evictAfter = after;
            return this;
        }

        /** Connect timeout, TCP_NODELAY and output buffer of every peer's connection. */
        public Builder connectOptions(ConnectOptions options) {
            this.connectOptions = Objects.requireNonNull(options, "connectOptions");
            return this;
        }

        /** How long removing a peer lets its client drain; {@code >= 0}, default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "drainTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be >= 0, was " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /** Peer callbacks; default none. */
        public Builder listener(PeerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** What to do with messages the peers send; default: count and drop them. */
        public Builder onMessage(PeerReceiver receiver) {
            this.receiver = Objects.requireNonNull(receiver, "receiver");
            return this;
        }

        /** Builds the manager, with no peers yet. */
        public ConnectionManager build() {
            return new ConnectionManager(this);
        }
    }
}
