package dev.warren.demos;

import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketClient;
import dev.warren.net.http.WebSocketMessage;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./http_client HOST PORT [PATH]} fetches one URL and prints the status line, the headers and the
 * body; {@code ./http_client -n REQUESTS -c CONNECTIONS HOST PORT [PATH]} is a keep-alive load
 * generator: CONNECTIONS tasklets, each with its own connection, send REQUESTS GETs in all, then the
 * rate, the latency percentiles and the error count are printed.
 *
 * <p>Exit status: 0 on success (any HTTP status counts as an answer), 1 when the request failed (or, in
 * load mode, any request failed), 2 for bad arguments.
 */
final class HttpClientDemo {
    static final String USAGE = """
            usage: http_client HOST PORT [PATH]                           fetch PATH (default /), print it
                   http_client [--tls-ca FILE] URL                        fetch an http:// or https:// URL; with
                                                                            --tls-ca, trust only the PEM
                                                                            certificates in FILE (else the JDK's)
                   http_client -n REQUESTS -c CONNECTIONS HOST PORT [PATH]  keep-alive load: requests/s,
                                                                            latency p50/p90/p99/max, errors
                   http_client [--tls-ca FILE] --ws ws://HOST:PORT/PATH   a WebSocket (or wss://): sends each line
                                                                            of stdin as a text message, prints
                                                                            what comes back""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    private HttpClientDemo() {}

    static int run(String[] args) throws InterruptedException {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        int requests = -1;
        int connections = -1;
        int i = 0;
        dev.warren.net.TlsOptions tls = null;
        if (args.length > 0 && args[0].equals("--tls-ca")) {
            if (args.length < 2) {
                err.println("http_client: --tls-ca needs a PEM file of certificates to trust");
                err.println(USAGE);
                return 2;
            }
            try {
                tls = dev.warren.net.TlsOptions.of(dev.warren.net.TlsContexts.trusting(java.nio.file.Path.of(args[1])));
            } catch (IOException e) {
                err.println("http_client: --tls-ca: " + e.getMessage());
                return 2;
            }
            args = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length == 1 && args[0].contains("://")) {
            return fetch(args[0], tls, out, err);
        }
        if (args.length > 0 && args[0].equals("--ws")) {
            if (args.length != 2) {
                err.println("http_client: --ws needs one ws://HOST:PORT/PATH");
                err.println(USAGE);
                return 2;
            }
            return webSocket(
                    args[1],
                    tls,
                    new java.io.BufferedReader(
                            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)),
                    out,
                    err);
        }
        try {
            while (i < args.length && args[i].startsWith("-")) {
                switch (args[i]) {
                    case "-n" -> requests = number(args, ++i, "-n REQUESTS", 1, 100_000_000);
                    case "-c" -> connections = number(args, ++i, "-c CONNECTIONS", 1, 15_000);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
                i++;
            }
            if ((requests < 0) != (connections < 0)) {
                throw new IllegalArgumentException("-n and -c go together");
            }
            if (args.length - i < 2 || args.length - i > 3) {
                throw new IllegalArgumentException("HOST and PORT are required");
            }
            String host = args[i];
            int port = number(args, i + 1, "PORT", 1, 65535);
            String path = args.length - i == 3 ? args[i + 2] : "/";
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("PATH must start with '/', was '" + path + "'");
            }
            if (requests < 0) {
                return fetch(host, port, path, out, err);
            }
            return load(host, port, path, requests, connections, out, err);
        } catch (IllegalArgumentException e) {
            err.println("http_client: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    /**
     * {@code --ws URL}: one tasklet prints every message that arrives, this one sends each line of
     * {@code in}; at the end of input the WebSocket is closed (1000) and the printer ends with it.
     */
    static int webSocket(
            String url, dev.warren.net.TlsOptions tls, java.io.BufferedReader in, PrintStream out, PrintStream err)
            throws InterruptedException {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            err.println("http_client: --ws needs a ws:// URL, was '" + url + "'");
            return 2;
        }
        WebSocket ws;
        try {
            // offered as browsers and Node's ws offer it; a server without it answers in plain frames
            ws = WebSocketClient.connect(
                    uri,
                    dev.warren.net.http.WebSocketOptions.builder()
                            .idleTimeout(null)
                            .permessageDeflate(true)
                            .build(),
                    tls);
        } catch (IllegalArgumentException e) {
            err.println("http_client: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("http_client: " + url + ": " + e.getMessage());
            return 1;
        }
        err.println("http_client: connected to " + url + (ws.compressed() ? " (permessage-deflate)" : "")
                + " (type lines; end of input closes)");
        Tasklet<Void> printer = Tasklets.start("ws-printer", () -> {
            for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                out.println(m.isText() ? m.text() : "<" + m.length() + " bytes>");
                out.flush();
            }
        });
        int status = 0;
        try {
            for (String line = in.readLine(); line != null && ws.isOpen(); line = in.readLine()) {
                ws.sendText(line);
            }
            ws.sendClose(WebSocket.NORMAL, ""); // the printer reads the echoes still coming, then the answer
        } catch (java.io.IOException e) {
            err.println("http_client: " + url + ": " + e.getMessage());
            status = 1;
        }
        try {
            printer.join();
        } catch (RuntimeException e) {
            // the printer ends with the connection, however it ended
        }
        int code = ws.closeCode();
        err.println("http_client: closed (" + code + (ws.closeReason().isEmpty() ? "" : " " + ws.closeReason()) + ")");
        return code == WebSocket.NORMAL ? status : 1;
    }

    private static int number(String[] args, int at, String what, int min, int max) {
        if (at >= args.length) {
            throw new IllegalArgumentException(what + " needs a value");
        }
        int v;
        try {
            v = Integer.parseInt(args[at].replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, was '" + args[at] + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", was " + v);
        }
        return v;
    }

    /** {@code GET url} ({@code http://} or {@code https://}), printed as {@link #fetch(String, int, String, PrintStream, PrintStream)} does. */
    private static int fetch(String url, dev.warren.net.TlsOptions tls, PrintStream out, PrintStream err) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            err.println("http_client: not a URL: '" + url + "'");
            return 2;
        }
        HttpClient.Builder b = HttpClient.builder();
        if (tls != null) {
            b.tls(tls);
        }
        try (HttpClient client = b.build()) {
            ClientResponse r = client.get(uri);
            out.println(r.statusLine());
            r.headers().forEach((n, v) -> out.println(n + ": " + v));
            out.println();
            out.write(r.body(), 0, r.body().length);
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("http_client: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("http_client: GET " + url + " failed: " + e);
            return 1;
        }
    }

    private static int fetch(String host, int port, String path, PrintStream out, PrintStream err) {
        try (HttpClient client = HttpClient.builder().build()) {
            ClientResponse r = client.get(host, port, path);
            out.println(r.statusLine());
            r.headers().forEach((n, v) -> out.println(n + ": " + v));
            out.println();
            out.write(r.body(), 0, r.body().length);
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("http_client: GET http://" + host + ":" + port + path + " failed: " + e);
            return 1;
        }
    }

    private static int load(
            String host, int port, String path, int requests, int connections, PrintStream out, PrintStream err)
            throws InterruptedException {
        long[] latencies = new long[requests]; // nanoseconds; -1 for a failed request
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        int workers = Math.min(connections, requests);
        // request w is worker w's own: every worker makes at least one, so -c N really opens N connections
        // (a worker scheduled after the others had taken every request would otherwise open none)
        AtomicInteger next = new AtomicInteger(workers);
        long t0 = System.nanoTime();
        try (var scope = TaskletScope.failFast("http_client load").open()) {
            for (int w = 0; w < workers; w++) {
                int first = w;
                scope.fork("load connection " + w, () -> {
                    try (HttpClient client = HttpClient.builder()
                            .maxIdlePerHost(1)
                            .readTimeout(Duration.ofSeconds(30))
                            .build()) {
                        for (int k = first; k < requests; k = next.getAndIncrement()) {
                            long s = System.nanoTime();
                            try {
                                ClientResponse r = client.get(host, port, path);
                                latencies[k] = r.status() < 400 ? System.nanoTime() - s : -1;
                                if (r.status() >= 400) {
                                    firstError.compareAndSet(null, new IOException("status " + r.statusLine()));
                                }
                            } catch (IOException e) {
                                latencies[k] = -1;
                                firstError.compareAndSet(null, e);
                            }
                        }
                    }
                });
            }
            scope.join();
        } catch (Exception e) {
            err.println("http_client: load run failed: " + e);
            return 1;
        }
        long elapsed = System.nanoTime() - t0;
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        int errors = requests - ok.length;
        out.printf(
                Locale.ROOT,
                "%d requests over %d keep-alive connections to http://%s:%d%s in %.3f s%n",
                requests,
                workers,
                host,
                port,
                path,
                elapsed / 1e9);
        out.printf(Locale.ROOT, "requests/s: %.0f%n", ok.length / (elapsed / 1e9));
        if (ok.length > 0) {
            out.printf(
                    Locale.ROOT,
                    "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f%n",
                    pct(ok, 50) / 1e6,
                    pct(ok, 90) / 1e6,
                    pct(ok, 99) / 1e6,
                    ok[ok.length - 1] / 1e6);
        }
        out.println("errors: " + errors + (errors > 0 ? " (first: " + firstError.get() + ")" : ""));
        return errors == 0 ? 0 : 1;
    }

    /** The nearest-rank percentile of sorted values. */
    private static long pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
