package dev.warren.bench;

import dev.warren.net.NetObservability;
import dev.warren.net.admin.AdminServer;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.tasklets.observe.Json;
import dev.warren.tasklets.observe.MetricRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code make bench SIDE=metrics}, second half: the cost of rendering {@code /metrics} and {@code /sockets.json}
 * with N open keep-alive connections on one HTTP server (default 10,000): the time to build each in-process
 * (median of 30 after 10 warm-ups) and served over HTTP by the admin server, and their size in bytes.
 *
 * <p>{@code java ... dev.warren.bench.MetricsRender [N]}; the N client ends are held by a child process, so
 * each process needs about N file descriptors.
 */
public final class MetricsRender {
    private MetricsRender() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        HttpServer server = HttpServer.builder()
                .name("render")
                .bindAddress("127.0.0.1")
                .backlog(4096)
                .handler(req -> Response.ok("hi\n"))
                .start();
        AdminServer admin = AdminServer.builder().pinningMonitor(false).start();
        // The client ends live in a process of their own: one process holding both ends of 10,000
        // connections would need more than the 20,000 descriptors a process may have.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process clients = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Clients.class.getName(),
                        Integer.toString(server.port()),
                        Integer.toString(n))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String ready = new java.io.BufferedReader(
                            new java.io.InputStreamReader(clients.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (!"ready".equals(ready)) {
                throw new IllegalStateException("the client process did not open its connections: " + ready);
            }
            long total = ((Number) NetObservability.sockets(0).get("connections_total")).longValue();
            System.out.printf(Locale.ROOT, "%d open keep-alive connections (the sockets report counts %d)%n", n, total);
            measure("/metrics (in-process text)", () -> MetricRegistry.global().prometheusText());
            measure("/sockets.json default limit 100 (in-process)", () -> Json.write(NetObservability.sockets(100)));
            measure("/sockets.json limit " + n + " (in-process)", () -> Json.write(NetObservability.sockets(n)));
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + admin.port();
            for (String path : new String[] {"/metrics", "/sockets.json", "/sockets.json?limit=" + n}) {
                measure(path + " (over HTTP)", () -> {
                    try {
                        return client.send(
                                        HttpRequest.newBuilder(URI.create(base + path))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } finally {
            clients.getOutputStream().close(); // its cue to close them and end
            clients.waitFor();
            admin.close();
            server.close();
        }
    }

    /** The client side: opens N connections, sends one request on each, says "ready", waits for stdin's end. */
    public static final class Clients {
        private Clients() {}

        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            int n = Integer.parseInt(args[1]);
            List<SocketChannel> open = new ArrayList<>(n);
            byte[] get = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer answer = ByteBuffer.allocate(4096);
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                open.add(c);
                c.write(ByteBuffer.wrap(get)); // one request each, so every connection has bytes in and out
                answer.clear();
                c.read(answer);
            }
            System.out.println("ready");
            System.out.flush();
            System.in.readAllBytes();
            for (SocketChannel c : open) {
                c.close();
            }
        }
    }

    private static void measure(String what, Supplier<String> render) {
        String out = "";
        for (int i = 0; i < 10; i++) {
            out = render.get();
        }
        long[] t = new long[30];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            out = render.get();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        System.out.printf(
                Locale.ROOT,
                "%-48s median %8.3f ms  p90 %8.3f ms  %,10d bytes%n",
                what,
                t[t.length / 2] / 1e6,
                t[t.length * 9 / 10] / 1e6,
                out.getBytes(StandardCharsets.UTF_8).length);
    }
}
