package dev.warren.config;

import com.typesafe.config.Config;
import dev.warren.net.ConnectionLimitPolicy;
import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import dev.warren.net.TlsContexts;
import dev.warren.net.TlsOptions;
import dev.warren.net.UdpReceiver;
import dev.warren.net.admin.AdminServer;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.http.HttpLimits;
import dev.warren.net.http.HttpServer;
import dev.warren.net.internal.Suggestions;
import dev.warren.streaming.StreamJob;
import dev.warren.tasklets.JobOrder;
import dev.warren.tasklets.JobQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a configuration may say: the section kinds under {@code warren}, and for each the keys it takes,
 * their types, defaults and meaning, and the builder call each one makes. docs/CONFIG.md is rendered
 * from this table ({@link #markdown()}) and a test keeps the two equal, so the reference cannot drift
 * from what the code reads; another test checks that every option of the builders has a key here.
 */
final class Schema {
    private Schema() {}

    /** The type of a key's value, and how it is read from HOCON. */
    enum Type {
        INT("integer"),
        BOOLEAN("boolean"),
        DURATION("duration (`500ms`, `5s`, `2m`)"),
        BYTES("size (`8192`, `64KiB`, `1MiB`)"),
        STRING("string"),
        CHOICE("one of");

        final String text;

        Type(String text) {
            this.text = text;
        }
    }

    /** The values a section's keys were given, for checks and calls that need several of them. */
    static final class Given {
        final Map<String, Object> values = new LinkedHashMap<>();

        Object get(String key) {
            return values.get(key);
        }
    }

    /** One key: its name, type, default (as text), meaning, and the call it makes on the builder. */
    record Key<B>(String name, Type type, String defaultText, String doc, List<String> choices, Apply<B> apply) {}

    @FunctionalInterface
    interface Apply<B> {
        void apply(B builder, Object value);
    }

    /**
     * A kind of section: {@code warren.KIND.NAME { ... }} makes a builder with {@link #create} and applies
     * each key; {@link #finish} applies what needs several keys and checks what the builder checks only at
     * start, so a section that loads is one that starts.
     */
    record Kind<B>(
            String name,
            String what,
            String javaType,
            Function<String, B> create,
            List<Key<B>> keys,
            Finish<B> finish) {
        Key<B> key(String k) {
            for (Key<B> key : keys) {
                if (key.name().equals(k)) {
                    return key;
                }
            }
            return null;
        }
    }

    @FunctionalInterface
    interface Finish<B> {
        void finish(B builder, Given given);
    }

    static <B> Key<B> key(String name, Type type, String defaultText, String doc, Apply<B> apply) {
        return new Key<>(name, type, defaultText, doc, List.of(), apply);
    }

    static <B, E extends Enum<E>> Key<B> choice(
            String name, Class<E> values, String defaultText, String doc, BiConsumer<B, E> apply) {
        List<String> names = Arrays.stream(values.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList();
        return new Key<>(
                name,
                Type.CHOICE,
                defaultText,
                doc,
                names,
                (b, v) -> apply.accept(b, Enum.valueOf(values, ((String) v).toUpperCase(Locale.ROOT))));
    }

    static int toInt(String name, Object bytes) {
        long v = (Long) bytes;
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be below 2GiB, was " + v + " bytes");
        }
        return (int) v;
    }

    /** Keys every listening server has; names are those of the builders' methods, in kebab case. */
    static final String PORT_DOC = "the port, 0..65535; 0 picks a free one";

    static final String MAX_CONN_DEFAULT = "90% of the free file descriptors";

    /** Reads and replaces a builder's {@link ListenerOptions}: the keys every listening server shares. */
    record Listening<B>(Function<B, ListenerOptions> getter, BiConsumer<B, ListenerOptions> setter) {
        ListenerOptions get(B b) {
            return getter.apply(b);
        }

        void set(B b, ListenerOptions o) {
            setter.accept(b, o);
        }
    }

    /**
     * The listener keys, applied through {@code ListenerOptions} so that every server validates them the
     * same way; {@code defaults} gives a server's own default text for a key, {@code skip} the keys it
     * does not take.
     */
    static <B> List<Key<B>> listenerKeys(Listening<B> l, Map<String, String> defaults, Set<String> skip) {
        List<Key<B>> keys = new ArrayList<>();
        java.util.function.BiConsumer<String, Key<B>> add = (name, key) -> {
            if (!skip.contains(name)) {
                keys.add(new Key<>(
                        name,
                        key.type(),
                        defaults.getOrDefault(name, key.defaultText()),
                        key.doc(),
                        key.choices(),
                        key.apply()));
            }
        };
        add.accept(
                "port",
                key("port", Type.INT, "0", PORT_DOC, (b, v) -> l.set(b, l.get(b).withPort((Integer) v))));
        add.accept(
                "bind-address",
                key(
                        "bind-address",
                        Type.STRING,
                        "every address",
                        "the local address to listen on, by name or literal",
                        (b, v) -> l.set(b, l.get(b).withBindAddress((String) v))));
        add.accept(
                "backlog",
                key(
                        "backlog",
                        Type.INT,
                        "1024",
                        "the listen backlog",
                        (b, v) -> l.set(b, l.get(b).withBacklog((Integer) v))));
        add.accept(
                "reuse-address",
                key(
                        "reuse-address",
                        Type.BOOLEAN,
                        "true",
                        "SO_REUSEADDR on the listening socket",
                        (b, v) -> l.set(b, l.get(b).withReuseAddress((Boolean) v))));
        add.accept(
                "max-connections",
                key(
                        "max-connections",
                        Type.INT,
                        MAX_CONN_DEFAULT,
                        "open connections at most",
                        (b, v) -> l.set(b, l.get(b).withMaxConnections((Integer) v))));
        add.accept(
                "limit-policy",
                Schema.<B, ConnectionLimitPolicy>choice(
                        "limit-policy",
                        ConnectionLimitPolicy.class,
                        "wait",
                        "at the limit: `wait` (leave new connections in the backlog) or `close` (accept and close them)",
                        (b, v) -> l.set(b, l.get(b).withLimitPolicy(v))));
        add.accept(
                "read-timeout",
                key(
                        "read-timeout",
                        Type.DURATION,
                        "none",
                        "a read waiting longer fails",
                        (b, v) -> l.set(b, l.get(b).withReadTimeout((Duration) v))));
        add.accept(
                "idle-timeout",
                key(
                        "idle-timeout",
                        Type.DURATION,
                        "none",
                        "a connection idle longer is closed",
                        (b, v) -> l.set(b, l.get(b).withIdleTimeout((Duration) v))));
        add.accept(
                "drain-timeout",
                key(
                        "drain-timeout",
                        Type.DURATION,
                        "5s",
                        "how long close() lets connections finish",
                        (b, v) -> l.set(b, l.get(b).withDrainTimeout((Duration) v))));
        add.accept(
                "close-warning-after",
                key(
                        "close-warning-after",
                        Type.DURATION,
                        "10s",
                        "a close taking longer is logged with the stacks of what holds it",
                        (b, v) -> l.set(b, l.get(b).withCloseWarningAfter((Duration) v))));
        add.accept(
                "tcp-no-delay",
                key(
                        "tcp-no-delay",
                        Type.BOOLEAN,
                        "true",
                        "TCP_NODELAY on accepted sockets",
                        (b, v) -> l.set(b, l.get(b).withTcpNoDelay((Boolean) v))));
        add.accept(
                "reactor",
                key(
                        "reactor",
                        Type.BOOLEAN,
                        "false",
                        "one reactor tasklet reads every socket",
                        (b, v) -> l.set(b, l.get(b).withReactor((Boolean) v))));
        // the TLS keys go together: tls(...) in the kind's finish reads them all and makes the context
        add.accept(
                "tls-cert",
                key(
                        "tls-cert",
                        Type.STRING,
                        "none (plaintext)",
                        "TLS: the server's PEM certificate chain, its own first (with `tls-key`)",
                        (b, v) -> {}));
        add.accept(
                "tls-key",
                key(
                        "tls-key",
                        Type.STRING,
                        "none",
                        "TLS: the PEM private key of `tls-cert` (PKCS#8, RSA or EC, unencrypted)",
                        (b, v) -> {}));
        add.accept(
                "tls-ca",
                key(
                        "tls-ca",
                        Type.STRING,
                        "the JDK's CAs",
                        "TLS: PEM certificates trusted to sign client certificates",
                        (b, v) -> {}));
        add.accept(
                "tls-client-auth",
                Schema.<B, TlsOptions.ClientAuth>choice(
                        "tls-client-auth",
                        TlsOptions.ClientAuth.class,
                        "none",
                        "TLS: ask clients for a certificate: `none`, `want` (optional) or `need` (required)",
                        (b, v) -> {}));
        return keys;
    }

    /**
     * Applies the TLS keys given together: {@code tls-cert} and {@code tls-key} make the context (the files
     * are read now, so a section that loads is one whose files are readable), {@code tls-ca} and {@code
     * tls-client-auth} refine it.
     *
     * @throws IllegalArgumentException if only one of cert and key is given, or a file cannot be used
     */
    static <B> void tls(Listening<B> l, B b, Given g) {
        String cert = (String) g.get("tls-cert");
        String key = (String) g.get("tls-key");
        String ca = (String) g.get("tls-ca");
        Object auth = g.get("tls-client-auth");
        if (cert == null && key == null) {
            if (ca != null || auth != null) {
                throw new IllegalArgumentException("tls-ca and tls-client-auth need tls-cert and tls-key");
            }
            return;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException(
                    "tls-cert and tls-key go together: " + (cert == null ? "tls-cert" : "tls-key") + " is missing");
        }
        javax.net.ssl.SSLContext ctx;
        try {
            ctx = TlsContexts.fromPem(Path.of(cert), Path.of(key), ca == null ? null : Path.of(ca));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        TlsOptions t = TlsOptions.of(ctx);
        if (auth != null) {
            t = t.withClientAuth(TlsOptions.ClientAuth.valueOf(((String) auth).toUpperCase(Locale.ROOT)));
        }
        l.set(b, l.get(b).withTls(t));
    }

    @SafeVarargs
    static <B> List<Key<B>> concat(List<Key<B>>... parts) {
        List<Key<B>> all = new ArrayList<>();
        for (List<Key<B>> p : parts) {
            all.addAll(p);
        }
        return List.copyOf(all);
    }

    static final Kind<TcpServer.Builder> TCP = new Kind<>(
            "tcp-servers",
            "TCP servers: a tasklet per connection",
            "TcpServer.Builder",
            name -> TcpServer.builder().name(name),
            concat(
                    listenerKeys(
                            new Listening<>(TcpServer.Builder::listener, TcpServer.Builder::listener),
                            Map.of(),
                            Set.of()),
                    List.of(
                            key(
                                    "input-buffer-size",
                                    Type.BYTES,
                                    "8KiB",
                                    "each connection's input buffer",
                                    (b, v) -> b.inputBufferSize(toInt("input-buffer-size", v))),
                            key(
                                    "output-buffer-size",
                                    Type.BYTES,
                                    "8KiB",
                                    "each connection's output buffer",
                                    (b, v) -> b.outputBufferSize(toInt("output-buffer-size", v))))),
            (b, g) -> tls(new Listening<>(TcpServer.Builder::listener, TcpServer.Builder::listener), b, g));

    static final Kind<HttpServer.Builder> HTTP = new Kind<>(
            "http-servers",
            "HTTP/1.1 servers",
            "HttpServer.Builder",
            name -> HttpServer.builder().name(name),
            concat(
                    listenerKeys(
                            new Listening<>(HttpServer.Builder::listener, HttpServer.Builder::listener),
                            Map.of("idle-timeout", "60s", "reactor", "true from JDK 24"),
                            Set.of("read-timeout")),
                    List.of(
                            key(
                                    "header-timeout",
                                    Type.DURATION,
                                    "10s",
                                    "the time a client has to send a request's head",
                                    (b, v) -> b.headerTimeout((Duration) v)),
                            key(
                                    "body-read-timeout",
                                    Type.DURATION,
                                    "30s",
                                    "a body read waiting longer fails",
                                    (b, v) -> b.bodyReadTimeout((Duration) v)),
                            key(
                                    "max-buffered-body-bytes",
                                    Type.BYTES,
                                    "a quarter of the heap",
                                    "request bodies buffered at once, all connections together",
                                    (b, v) -> b.maxBufferedBodyBytes((Long) v)),
                            key(
                                    "access-log",
                                    Type.BOOLEAN,
                                    "false",
                                    "switch the http.access log stream on",
                                    (b, v) -> b.accessLog((Boolean) v)),
                            key(
                                    "yield-before-wait",
                                    Type.BOOLEAN,
                                    "true",
                                    "yield once before waiting for the next request (loopback clients)",
                                    (b, v) -> b.yieldBeforeWait((Boolean) v)),
                            key(
                                    "max-request-line-length",
                                    Type.INT,
                                    "8192",
                                    "the longest request line (bytes)",
                                    (b, v) -> {}),
                            key("max-header-count", Type.INT, "100", "headers per request at most", (b, v) -> {}),
                            key(
                                    "max-header-bytes",
                                    Type.INT,
                                    "16384",
                                    "the largest request head (bytes)",
                                    (b, v) -> {}),
                            key("max-body-bytes", Type.BYTES, "10MiB", "the largest request body", (b, v) -> {}))),
            (b, g) -> {
                tls(new Listening<>(HttpServer.Builder::listener, HttpServer.Builder::listener), b, g);
                HttpLimits l = HttpLimits.defaults();
                if (g.values.containsKey("max-request-line-length")) {
                    l = l.withMaxRequestLineLength((Integer) g.get("max-request-line-length"));
                }
                if (g.values.containsKey("max-header-count")) {
                    l = l.withMaxHeaderCount((Integer) g.get("max-header-count"));
                }
                if (g.values.containsKey("max-header-bytes")) {
                    l = l.withMaxHeaderBytes((Integer) g.get("max-header-bytes"));
                }
                if (g.values.containsKey("max-body-bytes")) {
                    l = l.withMaxBodyBytes((Long) g.get("max-body-bytes"));
                }
                b.limits(l);
            });

    /** The frame format of a message server: {@code buffstreams} or {@code fixed32}, and its size limit. */
    enum Framing {
        BUFFSTREAMS,
        FIXED32
    }

    static final Kind<MessageServer.Builder> MESSAGE = new Kind<>(
            "message-servers",
            "length-prefixed message servers (BuffStreams-compatible)",
            "MessageServer.Builder",
            name -> MessageServer.builder().name(name),
            concat(
                    listenerKeys(
                            new Listening<>(MessageServer.Builder::listener, MessageServer.Builder::listener),
                            Map.of(),
                            Set.of()),
                    List.of(
                            key(
                                    "read-buffer-size",
                                    Type.BYTES,
                                    "64KiB",
                                    "each connection's read buffer",
                                    (b, v) -> b.readBufferSize(toInt("read-buffer-size", v))),
                            key(
                                    "write-buffer-size",
                                    Type.BYTES,
                                    "16KiB",
                                    "each connection's write buffer",
                                    (b, v) -> b.writeBufferSize(toInt("write-buffer-size", v))),
                            key(
                                    "acknowledgements",
                                    Type.BOOLEAN,
                                    "true",
                                    "acknowledge each message (at-least-once clients)",
                                    (b, v) -> b.acknowledgements((Boolean) v)),
                            choice("format", Framing.class, "buffstreams", "the frame format", (b, v) -> {}),
                            key(
                                    "max-message-size",
                                    Type.BYTES,
                                    "4KiB",
                                    "the largest message; larger frames close the connection",
                                    (b, v) -> {}))),
            (b, g) -> {
                tls(new Listening<>(MessageServer.Builder::listener, MessageServer.Builder::listener), b, g);
                if (g.values.containsKey("format") || g.values.containsKey("max-message-size")) {
                    int max = g.values.containsKey("max-message-size")
                            ? toInt("max-message-size", g.get("max-message-size"))
                            : 4096;
                    Object f = g.values.get("format");
                    b.format("fixed32".equals(f) ? FrameFormat.fixed32(max) : FrameFormat.buffStreams(max));
                }
            });

    static final Kind<UdpReceiver.Builder> UDP = new Kind<>(
            "udp-receivers",
            "UDP receivers",
            "UdpReceiver.Builder",
            name -> UdpReceiver.builder().name(name),
            concat(
                    listenerKeys(
                            new Listening<>(UdpReceiver.Builder::listener, UdpReceiver.Builder::listener),
                            Map.of(),
                            Set.of(
                                    "backlog",
                                    "reuse-address",
                                    "max-connections",
                                    "limit-policy",
                                    "read-timeout",
                                    "idle-timeout",
                                    "drain-timeout",
                                    "close-warning-after",
                                    "tcp-no-delay",
                                    "reactor",
                                    "tls-cert",
                                    "tls-key",
                                    "tls-ca",
                                    "tls-client-auth")),
                    List.of(
                            key(
                                    "receive-buffer-size",
                                    Type.BYTES,
                                    "the system's",
                                    "SO_RCVBUF",
                                    (b, v) -> b.receiveBufferSize(toInt("receive-buffer-size", v))),
                            key(
                                    "max-datagram-size",
                                    Type.BYTES,
                                    "65507",
                                    "the largest datagram taken whole",
                                    (b, v) -> b.maxDatagramSize(toInt("max-datagram-size", v))))),
            (b, g) -> {});

    static final Kind<JobQueue.Builder> JOBQ = new Kind<>(
            "job-queues",
            "job queues (libmtev's jobq): bounded, with workers that come and go",
            "JobQueue.Builder",
            JobQueue::builder,
            List.of(
                    key(
                            "min-concurrency",
                            Type.INT,
                            "0",
                            "workers kept even when idle",
                            (b, v) -> b.minConcurrency((Integer) v)),
                    key(
                            "max-concurrency",
                            Type.INT,
                            "max(1, min-concurrency)",
                            "workers at most",
                            (b, v) -> b.maxConcurrency((Integer) v)),
                    key("backlog", Type.INT, "10000", "queued jobs at most", (b, v) -> b.backlog((Integer) v)),
                    choice("order", JobOrder.class, "fifo", "which queued job runs next", JobQueue.Builder::order),
                    key(
                            "default-deadline",
                            Type.DURATION,
                            "none",
                            "the deadline of jobs added without one",
                            (b, v) -> b.defaultDeadline((Duration) v)),
                    key(
                            "idle-timeout",
                            Type.DURATION,
                            "10s",
                            "a worker above min-concurrency idle longer exits",
                            (b, v) -> b.idleTimeout((Duration) v))),
            (b, g) -> {
                Integer min = (Integer) g.get("min-concurrency");
                Integer max = (Integer) g.get("max-concurrency");
                if (min != null && max != null && max < min) {
                    throw new IllegalArgumentException(
                            "max-concurrency must be >= min-concurrency (" + min + "), was " + max);
                }
            });

    static final Kind<StreamJob.Builder<?, ?, ?, ?>> STREAM = new Kind<>(
            "stream-jobs",
            "keyed stream jobs: what the code does not decide (the parser, key, window and sink are code)",
            "StreamJob.Builder",
            name -> StreamJob.builder(name),
            List.of(
                    key("shards", Type.INT, "carrier parallelism", "shard tasklets", (b, v) -> b.shards((Integer) v)),
                    key(
                            "queue-capacity",
                            Type.INT,
                            "8192",
                            "each shard's inbox",
                            (b, v) -> b.queueCapacity((Integer) v)),
                    key(
                            "grace",
                            Type.DURATION,
                            "0s",
                            "event time: how long a window waits for late events",
                            (b, v) -> b.grace((Duration) v)),
                    key(
                            "max-ahead",
                            Type.DURATION,
                            "1m",
                            "event time: events further in the future are set aside",
                            (b, v) -> b.maxAhead((Duration) v)),
                    key(
                            "idle-ttl",
                            Type.DURATION,
                            "none",
                            "per-key state idle longer is freed",
                            (b, v) -> b.idleTtl((Duration) v)),
                    key(
                            "tick",
                            Type.DURATION,
                            "200ms",
                            "how often shards close windows on the clock",
                            (b, v) -> b.tick((Duration) v))),
            (b, g) -> {});

    static final Kind<AdminServer.Builder> ADMIN = new Kind<>(
            "admin",
            "the admin server (one, not named): `warren.admin { port = 9090 }`",
            "AdminServer.Builder",
            name -> AdminServer.builder(),
            concat(
                    listenerKeys(
                            new Listening<>(AdminServer.Builder::listener, AdminServer.Builder::listener),
                            Map.of(
                                    "port",
                                    "(required)",
                                    "bind-address",
                                    "127.0.0.1 (any other is warned about)",
                                    "max-connections",
                                    "256",
                                    "idle-timeout",
                                    "60s"),
                            Set.of("read-timeout", "reactor")),
                    List.of(
                            key(
                                    "token",
                                    Type.STRING,
                                    "none",
                                    "require `Authorization: Bearer TOKEN` (write "
                                            + "`token = ${?WARREN_ADMIN_TOKEN}` to keep it out of the file)",
                                    (b, v) -> b.token((String) v)),
                            key(
                                    "pinning-monitor",
                                    Type.BOOLEAN,
                                    "true",
                                    "record pinning events (JFR) for " + "/pinning.json",
                                    (b, v) -> b.pinningMonitor((Boolean) v)))),
            (b, g) -> tls(new Listening<>(AdminServer.Builder::listener, AdminServer.Builder::listener), b, g));

    /** Every kind of named section under {@code warren}, in the order of the reference. */
    static final List<Kind<?>> NAMED = List.of(TCP, HTTP, MESSAGE, UDP, JOBQ, STREAM);

    static Kind<?> named(String kind) {
        for (Kind<?> k : NAMED) {
            if (k.name().equals(kind)) {
                return k;
            }
        }
        return null;
    }

    static List<String> topLevelNames() {
        List<String> all = new ArrayList<>();
        NAMED.forEach(k -> all.add(k.name()));
        all.add(ADMIN.name());
        return all;
    }

    /** Reads {@code key} of {@code section} as {@code type}; Typesafe Config's exceptions name the problem. */
    static Object read(Config section, Key<?> key) {
        String k = quote(key.name());
        return switch (key.type()) {
            case INT -> section.getInt(k);
            case BOOLEAN -> section.getBoolean(k);
            case DURATION -> section.getDuration(k);
            case BYTES -> section.getBytes(k);
            case STRING -> section.getString(k);
            case CHOICE -> {
                String v = section.getString(k).toLowerCase(Locale.ROOT);
                if (!key.choices().contains(v)) {
                    throw new IllegalArgumentException(key.name() + " must be one of "
                            + String.join(", ", key.choices()) + ", was '" + section.getString(k) + "'");
                }
                yield v;
            }
        };
    }

    static String quote(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key.replace("\"", "\\\"") + "\"";
    }

    /** The key of {@code kind} closest to {@code wrong}, for "did you mean" (null if none is close). */
    static String closest(List<String> candidates, String wrong) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = Suggestions.distance(c, wrong);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, wrong.length() / 3) ? best : null;
    }

    /** The reference, docs/CONFIG.md. */
    static String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("""
                # Configuration reference

                <!-- Generated from config/src/main/java/dev/warren/config/Schema.java by `make config-docs`;
                     ConfigReferenceTest fails when the two differ. Edit the schema, not this file. -->

                A Warren configuration file is [HOCON](https://github.com/lightbend/config/blob/main/HOCON.md)
                (read with Typesafe Config): `include "other.conf"`, `${VAR}` and `${?VAR}` from the environment,
                durations such as `500ms`, `5s` or `2m`, sizes such as `8192`, `64KiB` or `1MiB`, comments with `#`.
                Warren reads the object `warren`; everything else in the file is the application's own.

                ```hocon
                warren {
                  http-servers.web { port = 8080, max-connections = 20000, idle-timeout = 30s }
                  job-queues.mail  { max-concurrency = 8, backlog = 10000, default-deadline = 2s }
                  admin            { port = 9090, token = ${?WARREN_ADMIN_TOKEN} }
                }
                ```

                ```java
                WarrenConfig config = WarrenConfig.load(Path.of("app.conf")); // every problem at once, or none
                HttpServer web = config.httpServer("web").handler(router).start();
                JobQueue mail = config.jobQueue("mail").start();
                config.admin().ifPresent(AdminServer.Builder::start);
                ```

                `WarrenConfig.load` checks the whole `warren` object before anything starts: an unknown section or
                key (with the closest known one), a value of the wrong type and a value the builder refuses are
                each reported with their path and the file and line they came from, all in one
                `ConfigProblemsException`. The demos take `--config FILE` and exit 2 on such a file, starting
                nothing; their command-line options win over the file.

                A named section `warren.KIND.NAME` is a builder named NAME with the section's keys applied; the
                code adds what a file cannot say (handlers, parsers, sinks) and starts it.
                """);
        List<Kind<?>> all = new ArrayList<>(NAMED);
        all.add(ADMIN);
        for (Kind<?> k : all) {
            s.append("\n## `warren.")
                    .append(k.name())
                    .append(k.name().equals(ADMIN.name()) ? "" : ".NAME")
                    .append("`\n\n");
            s.append(Character.toUpperCase(k.what().charAt(0)))
                    .append(k.what().substring(1))
                    .append(" — `")
                    .append(k.javaType())
                    .append("`.\n\n");
            s.append("| key | type | default | meaning |\n|---|---|---|---|\n");
            for (Key<?> key : k.keys()) {
                String type = key.type() == Type.CHOICE
                        ? "one of "
                                + key.choices().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "))
                        : key.type().text;
                s.append("| `")
                        .append(key.name())
                        .append("` | ")
                        .append(type)
                        .append(" | ")
                        .append(key.defaultText())
                        .append(" | ")
                        .append(key.doc())
                        .append(" |\n");
            }
        }
        return s.toString();
    }
}
