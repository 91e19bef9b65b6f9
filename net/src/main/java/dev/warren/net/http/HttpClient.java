package dev.warren.net.http;

import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.net.TlsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking HTTP/1.1 client for tasklets, with a keep-alive connection pool per host.
 *
 * <pre>{@code
 * try (HttpClient client = HttpClient.builder().readTimeout(Duration.ofSeconds(5)).build()) {
 *     ClientResponse r = client.get("localhost", 8080, "/hello/world");
 *     ClientResponse p = client.request("POST", "localhost", 8080, "/echo").body("hi").send();
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe: any number of tasklets may send at once; each exchange uses its own
 * connection (taken from the pool, or new), blocking the calling tasklet for the connect, the write and
 * the whole response. Connections go back to the pool when the response allowed it (keep-alive and a
 * delimited body); at most {@linkplain Builder#maxIdlePerHost maxIdlePerHost} wait per host.
 *
 * <p><b>Retries.</b> When a pooled connection turns out to have been closed by the server (the request
 * could not be written, or the connection ended before the first byte of a response), the request is
 * sent once more on a new connection. Nothing else is retried.
 *
 * <p><b>Errors.</b> A malformed or over-large response throws {@link HttpClientException} naming the
 * server and request; a connect or read timeout throws {@link SocketTimeoutException}; other transport
 * failures their {@link IOException}.
 */
public final class HttpClient implements AutoCloseable {
    private final ConnectOptions options;
    /** For https:// URIs: the builder's TLS (or the JDK's default trust) with ALPN http/1.1. */
    private final ConnectOptions secureOptions;

    private final int maxIdlePerHost;
    private final long maxBodyBytes;
    private final HttpLimits limits;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private HttpClient(Builder b) {
        this.options =
                ConnectOptions.defaults().withConnectTimeout(b.connectTimeout).withReadTimeout(b.readTimeout);
        TlsOptions tls = b.tls != null ? b.tls : TlsOptions.defaultClient();
        this.secureOptions =
                options.withTls(tls.applicationProtocols().isEmpty() ? tls.withApplicationProtocols("http/1.1") : tls);
        this.maxIdlePerHost = b.maxIdlePerHost;
        this.maxBodyBytes = b.maxResponseBodyBytes;
        this.limits = HttpLimits.defaults().withMaxHeaderBytes(65536).withMaxBodyBytes(b.maxResponseBodyBytes);
    }

    /** A builder with the defaults listed on each option. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code GET target} from {@code host:port}. */
    public ClientResponse get(String host, int port, String target) throws IOException {
        return request("GET", host, port, target).send();
    }

    /**
     * A request to build and {@link ClientRequest#send() send}.
     *
     * @throws IllegalArgumentException for a method that is not a token, a target that does not start
     *     with {@code /} or holds spaces or control characters, or a port outside 1..65535
     */
    public ClientRequest request(String method, String host, int port, String target) {
        return new ClientRequest(this, method, host, port, target);
    }

    /**
     * {@code GET} of an {@code http://} or {@code https://} URI: {@code
     * client.get(URI.create("https://localhost:8443/a?b=1"))}.
     */
    public ClientResponse get(java.net.URI uri) throws IOException {
        return request("GET", uri).send();
    }

    /**
     * A request to an {@code http://} or {@code https://} URI: its host, its port (80 or 443 if it names
     * none) and its raw path and query as the target ({@code /} for an empty path). The fragment is not
     * sent. An {@code https} request goes over TLS with the {@linkplain Builder#tls builder's TLS options}
     * (by default the JDK's trusted authorities), the server's certificate checked against the URI's host,
     * and ALPN {@code http/1.1}; its connections are pooled apart from plaintext ones.
     *
     * @throws IllegalArgumentException for a URI that is not absolute {@code http} or {@code https}, has no host, or holds
     *     user information (credentials in a URI end up in logs; send an {@code Authorization} header), and
     *     as {@link #request(String, String, int, String)}
     */
    public ClientRequest request(String method, java.net.URI uri) {
        java.util.Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        boolean secure = scheme != null && scheme.equalsIgnoreCase("https");
        if (scheme == null || !(secure || scheme.equalsIgnoreCase("http"))) {
            throw new IllegalArgumentException("uri must be an absolute http:// or https:// URI, was '" + uri + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uri has no host, was '" + uri + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "uri must not hold user information (send an Authorization header), was '" + uri.getScheme()
                            + "://...@" + uri.getHost() + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        int port = uri.getPort() < 0 ? (secure ? 443 : 80) : uri.getPort();
        return new ClientRequest(this, method, host, port, target, secure);
    }

    /** Connections now idle in the pool, over all hosts. */
    public int idleConnections() {
        int n = 0;
        for (Pool p : pools.values()) {
            n += p.size();
        }
        return n;
    }

    /** Closes the idle connections; exchanges in progress finish, their connections are then closed. */
    @Override
    public void close() {
        closed = true;
        for (Pool p : pools.values()) {
            p.closeAll();
        }
    }

    // ------------------------------------------------------------------ exchange

    ClientResponse send(ClientRequest r) throws IOException {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        String key = (r.secure ? "https://" : "") + r.host + ":" + r.port;
        ConnectOptions connect = r.secure ? secureOptions : options;
        Pool pool = pools.computeIfAbsent(key, k -> new Pool());
        Connection c = pool.take();
        boolean reused = c != null;
        if (c == null) {
            c = TcpClient.connect(r.host, r.port, connect);
        }
        try {
            return exchange(pool, c, r);
        } catch (StaleConnectionException stale) {
            c.abort();
            if (!reused) {
                throw new HttpClientException(
                        "connection to " + key + " closed by the server before a response to " + r, stale);
            }
            Connection fresh = TcpClient.connect(r.host, r.port, connect);
            try {
                return exchange(pool, fresh, r);
            } catch (StaleConnectionException again) {
                fresh.abort();
                throw new HttpClientException(
                        "connection to " + key + " closed by the server before a response to " + r, again);
            }
        }
    }

    /** The connection ended before anything of the response arrived. */
    private static final class StaleConnectionException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnectionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ClientResponse exchange(Pool pool, Connection c, ClientRequest r) throws IOException {
        boolean ok = false;
        try {
            try {
                writeRequest(c, r);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new StaleConnectionException("writing the request failed", e);
            }
            ClientResponse resp = readResponse(pool, c, r);
            ok = true;
            return resp;
        } finally {
            if (!ok) {
                c.abort();
            }
        }
    }

    private void writeRequest(Connection c, ClientRequest r) throws IOException {
        c.write(Wire.ascii(r.method + " " + r.target + " HTTP/1.1\r\n"));
        if (r.headers.get("Host") == null) {
            c.write(Wire.ascii("Host: " + (r.host.indexOf(':') >= 0 ? "[" + r.host + "]" : r.host)
                    + (r.port == (r.secure ? 443 : 80) ? "" : ":" + r.port) + "\r\n"));
        }
        for (int i = 0; i < r.headerList.size(); i += 2) {
            c.write(r.headerList.get(i).getBytes(StandardCharsets.ISO_8859_1));
            c.write(Wire.COLON_SP);
            c.write(r.headerList.get(i + 1).getBytes(StandardCharsets.ISO_8859_1));
            c.write(Wire.CRLF);
        }
        byte[] body = r.body;
        if (r.chunked) {
            c.write(Wire.CHUNKED);
            c.write(Wire.CRLF);
            if (body != null && body.length > 0) {
                c.write(Wire.ascii(Integer.toHexString(body.length) + "\r\n"));
                c.write(body);
                c.write(Wire.CRLF);
            }
            c.write(Wire.LAST_CHUNK);
        } else {
            if (body != null) {
                c.write(Wire.CONTENT_LENGTH);
                c.write(Wire.decimal(body.length));
                c.write(Wire.CRLF);
            }
            c.write(Wire.CRLF);
            if (body != null) {
                c.write(body);
            }
        }
        c.flush();
    }

    private ClientResponse readResponse(Pool pool, Connection c, ClientRequest r) throws IOException {
        InputStream in = c.inputStream();
        HeadReader reader = new HeadReader();
        try {
            for (boolean first = true; ; first = false) {
                int n;
                try {
                    n = reader.readLine(in, 8192, 400, "status line", true);
                } catch (SocketTimeoutException e) {
                    throw e;
                } catch (HttpParseException e) {
                    throw e;
                } catch (IOException e) {
                    if (first && reader.length() == 0) {
                        throw new StaleConnectionException("reading the status line failed", e);
                    }
                    throw e;
                }
                if (n < 0) {
                    if (first) {
                        throw new StaleConnectionException("end of stream before a response", null);
                    }
                    throw new HttpParseException(400, "end of stream after an interim response");
                }
                String line = reader.text(0, n);
                if (n < 12
                        || !line.startsWith("HTTP/1.")
                        || (line.charAt(7) != '0' && line.charAt(7) != '1')
                        || line.charAt(8) != ' '
                        || (n > 12 && line.charAt(12) != ' ')) {
                    throw new HttpParseException(400, "malformed status line '" + abbreviate(line) + "'");
                }
                int status = parseStatus(line);
                String reason = n > 13 ? line.substring(13) : "";
                HttpHeaders headers = reader.readFields(in, limits.maxHeaderCount(), limits.maxHeaderBytes(), "header");
                if (status >= 100 && status < 200) {
                    continue; // interim response (100 Continue...): the final one follows
                }
                String version = line.substring(0, 8);
                boolean keepAlive = version.equals("HTTP/1.1")
                        ? !headers.hasToken("Connection", "close")
                        : headers.hasToken("Connection", "keep-alive");
                byte[] body;
                HttpHeaders trailers = HttpHeaders.empty();
                if (r.method.equals("HEAD") || status == 204 || status == 304) {
                    body = new byte[0];
                } else if (headers.contains("Transfer-Encoding")) {
                    if (!headers.get("Transfer-Encoding").strip().equalsIgnoreCase("chunked")
                            || headers.count("Transfer-Encoding") > 1) {
                        throw new HttpParseException(
                                501, "unsupported Transfer-Encoding '" + headers.get("Transfer-Encoding") + "'");
                    }
                    BodyInputStream b = BodyInputStream.chunked(in, limits, reader);
                    body = b.readRest();
                    trailers = b.trailers();
                } else if (headers.contains("Content-Length")) {
                    long len = contentLength(headers);
                    if (len > maxBodyBytes) {
                        throw new HttpParseException(
                                413, "Content-Length " + len + " above the limit of " + maxBodyBytes + " bytes");
                    }
                    body = BodyInputStream.fixed(in, len).readRest();
                } else {
                    body = readToEnd(in);
                    keepAlive = false;
                }
                if (keepAlive && !closed) {
                    pool.give(c, maxIdlePerHost);
                } else {
                    c.abort();
                }
                return new ClientResponse(version, status, reason, headers, body, trailers);
            }
        } catch (HttpParseException e) {
            throw new HttpClientException(
                    "malformed response from " + r.host + ":" + r.port + " to " + r + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static int parseStatus(String line) throws HttpParseException {
        int s = 0;
        for (int i = 9; i < 12; i++) {
            char ch = line.charAt(i);
            if (ch < '0' || ch > '9') {
                throw new HttpParseException(400, "malformed status code in '" + abbreviate(line) + "'");
            }
            s = s * 10 + (ch - '0');
        }
        if (s < 100) {
            throw new HttpParseException(400, "status code " + s + " out of range");
        }
        return s;
    }

    private static long contentLength(HttpHeaders h) throws HttpParseException {
        long length = -1;
        for (String v : h.all("Content-Length")) {
            for (String part : v.split(",", -1)) {
                String p = part.strip();
                if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new HttpParseException(400, "invalid Content-Length '" + v + "'");
                }
                long n = Long.parseLong(p);
                if (length >= 0 && n != length) {
                    throw new HttpParseException(400, "conflicting Content-Length values " + h.all("Content-Length"));
                }
                length = n;
            }
        }
        return length;
    }

    private byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (out.size() + (long) n > maxBodyBytes) {
                throw new HttpParseException(413, "response body above the limit of " + maxBodyBytes + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Idle connections to one host, most recently used first. */
    private static final class Pool {
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Connection> idle = new ArrayDeque<>();

        Connection take() {
            lock.lock();
            try {
                for (Connection c; (c = idle.pollFirst()) != null; ) {
                    if (c.isOpen()) {
                        return c;
                    }
                }
                return null;
            } finally {
                lock.unlock();
            }
        }

        void give(Connection c, int max) {
            lock.lock();
            try {
                if (idle.size() < max) {
                    idle.addFirst(c);
                    return;
                }
            } finally {
                lock.unlock();
            }
            c.abort();
        }

        int size() {
            lock.lock();
            try {
                return idle.size();
            } finally {
                lock.unlock();
            }
        }

        void closeAll() {
            List<Connection> all;
            lock.lock();
            try {
                all = new ArrayList<>(idle);
                idle.clear();
            } finally {
                lock.unlock();
            }
            all.forEach(Connection::abort);
        }
    }

    /** Configures an {@link HttpClient}. Not thread-safe. */
    public static final class Builder {
        Duration connectTimeout = Duration.ofSeconds(10);
        Duration readTimeout = Duration.ofSeconds(30);
        int maxIdlePerHost = 64;
        long maxResponseBodyBytes = 64L * 1024 * 1024;
        TlsOptions tls;

        private Builder() {}

        /**
         * The TLS of {@code https://} requests: the context whose certificates are trusted (and the
         * client's own, for servers that ask for one), hostname verification, protocols. ALPN {@code
         * http/1.1} is added when the options name no ALPN protocol. Default: the JDK's trusted authorities,
         * hostname verification on. Requests by host and port are plaintext whatever this says.
         */
        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The longest a TCP handshake may take. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** The longest one read of the response may wait. Default 30 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /** The most idle connections kept per host. Default 64. */
        public Builder maxIdlePerHost(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxIdlePerHost must be >= 0, was " + max);
            }
            this.maxIdlePerHost = max;
            return this;
        }

        /** The largest response body accepted (then {@link HttpClientException}). Default 64 MiB. */
        public Builder maxResponseBodyBytes(long max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxResponseBodyBytes must be >= 0, was " + max);
            }
            this.maxResponseBodyBytes = max;
            return this;
        }

        /** The client. */
        public HttpClient build() {
            return new HttpClient(this);
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
