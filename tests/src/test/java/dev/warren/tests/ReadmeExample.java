package dev.warren.tests;

import dev.warren.config.WarrenConfig;
import dev.warren.net.TlsContexts;
import dev.warren.net.TlsOptions;
import dev.warren.net.admin.AdminServer;
import dev.warren.net.http.Compression;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.net.http.StaticFiles;
import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketClient;
import dev.warren.net.http.WebSocketMessage;
import dev.warren.net.http.WebSocketOptions;
import dev.warren.streaming.Backpressure;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.LaneEmitter;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.datapath.Datapath;
import dev.warren.streaming.datapath.Datapaths;
import dev.warren.streaming.datapath.StreamReader;
import dev.warren.streaming.datapath.Streams;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.Heartbeat;
import dev.warren.tasklets.RestartPolicy;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Watchdog;
import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * The code shown in README.md, kept compiling and running by {@link ReadmeExampleTest}, which also
 * checks that README.md shows exactly the lines between the {@code README} markers below
 * ({@code build/sync-readme-examples.py} copies them there).
 */
final class ReadmeExample {
    private ReadmeExample() {}

    static String loadUser(int id) throws InterruptedException {
        Thread.sleep(10); // stands for a blocking call: a database, a socket...
        return "user-" + id;
    }

    static int cartSize(int id) throws InterruptedException {
        Thread.sleep(10);
        return id % 7;
    }

    // README:begin scope
    static String checkout(int id) throws InterruptedException {
        try (var scope = TaskletScope.failFast("checkout")
                .deadline(Duration.ofSeconds(2))
                .open()) {
            Tasklet<String> user = scope.fork("user", () -> loadUser(id));
            Tasklet<Integer> cart = scope.fork("cart", () -> cartSize(id));
            scope.join(); // throws the first failure (the other fork is cancelled) or DeadlineExceededException
            return user.result() + " has " + cart.result() + " items";
        } // close(): nothing forked above is still running after this line
    }
    // README:end scope

    // README:begin channel
    static long sumOfSquares(int n) throws InterruptedException {
        Channel<Integer> numbers = Channel.bounded(64);
        try (var scope = TaskletScope.failFast("pipeline").open()) {
            scope.fork("producer", () -> {
                for (int i = 1; i <= n; i++) {
                    numbers.send(i); // blocks while the channel is full
                }
                numbers.close(); // the consumer drains what is left, then sees the end
            });
            Tasklet<Long> consumer = scope.fork("consumer", () -> {
                long sum = 0;
                try {
                    for (; ; ) {
                        int x = numbers.receive(); // blocks while the channel is empty
                        sum += (long) x * x;
                    }
                } catch (ChannelClosedException end) {
                    return sum;
                }
            });
            scope.join();
            return consumer.result();
        }
    }
    // README:end channel

    // README:begin http
    static HttpServer helloServer(int port) {
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
                .post("/echo", req -> Response.status(200).body(req.body(), req.header("Content-Type")))
                .build(); // no route: 404; a route but not that method: 405 with Allow; HEAD served from GET
        return HttpServer.builder().port(port).handler(router).start(); // close() drains, then stops
    }
    // README:end http

    // README:begin site
    static HttpServer site(int port, Path www, Router api) {
        Router router = Router.builder()
                .get("/static/*", StaticFiles.of(www)) // types, ETag/304, Range/206, HEAD; never leaves www
                .mount("/api", api) // api's GET /users/{id} answers GET /api/users/{id}
                .get("/health", req -> Response.json(200, "{\"ok\":true}"))
                .filter(Compression.gzip()) // text bodies gzip-compressed for clients that accept it
                .build();
        return HttpServer.builder().port(port).handler(router).start();
    }
    // README:end site

    // README:begin websocket
    static String echoOverWebSocket(int port) throws IOException {
        Router router = Router.builder()
                .websocket("/ws/echo", ws -> {
                    for (WebSocketMessage m; (m = ws.receive()) != null; ) { // null: closed
                        ws.sendText(m.text());
                    }
                })
                .build();
        try (HttpServer server = HttpServer.builder().port(port).handler(router).start();
                WebSocket ws = WebSocketClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws/echo"))) {
            ws.sendText("hello");
            return ws.receive().text();
        }
    }
    // README:end websocket

    // README:begin deflate
    static String compressedFeed(int port) throws IOException {
        WebSocketOptions deflate =
                WebSocketOptions.builder().permessageDeflate(true).build();
        Router router = Router.builder()
                .websocket("/ws/feed", deflate, ws -> ws.sendText("{\"price\": 42}\n".repeat(1000)))
                .build();
        try (HttpServer server = HttpServer.builder().port(port).handler(router).start();
                WebSocket ws = WebSocketClient.connect(
                        URI.create("ws://127.0.0.1:" + server.port() + "/ws/feed"), deflate)) { // offers it
            return (ws.compressed() ? "compressed: " : "plain: ")
                    + ws.receive().text().length();
        }
    }
    // README:end deflate

    // README:begin tls
    static String overTls(Path cert, Path key, Path ca) throws IOException {
        SSLContext serverKeys = TlsContexts.fromPem(cert, key); // PEM chain and PKCS#8 key (RSA or EC)
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name")))
                .build();
        HttpServer.Builder b = HttpServer.builder().handler(router);
        b.listener(b.listener().withPort(0).withTls(TlsOptions.of(serverKeys))); // TLS 1.3 and 1.2, ALPN http/1.1
        try (HttpServer server = b.start();
                HttpClient client = HttpClient.builder()
                        .tls(TlsOptions.of(TlsContexts.trusting(ca))) // default: the JDK's authorities
                        .build()) {
            return client.get(URI.create("https://localhost:" + server.port() + "/hello/tls"))
                    .bodyString();
        }
    }
    // README:end tls

    // README:begin config
    static HttpServer configuredServer(Path file, Router router) {
        WarrenConfig config = WarrenConfig.load(file); // all problems at once, with file:line, or none
        config.admin().ifPresent(AdminServer.Builder::start); // warren.admin { port = 9090 }
        return config.httpServer("web").handler(router).start(); // warren.http-servers.web { ... }
    }
    // README:end config

    // README:begin stream
    static Map<String, Long> countsPerKey(List<String> lines) throws InterruptedException {
        Map<String, Long> counts = new ConcurrentHashMap<>();
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("counts")
                .parse(KeyValue::parse) // "KEY [VALUE [TIMESTAMP_MS]]"; a bad line is counted, never thrown
                .keyBy(KeyValue::key) // a key lives on one shard tasklet, which owns its state alone
                .shards(4)
                .window(Windows.tumbling(Duration.ofMinutes(1)), Aggregators.count())
                .sink(window -> counts.merge(window.key(), window.value(), Long::sum))
                .start()) {
            for (String line : lines) {
                job.emit(line); // blocks while the key's shard is full: nothing is lost
            }
        } // close(): drain every shard, emit every open window, free every key's state
        return counts;
    }
    // README:end stream

    // README:begin datapath
    static byte[] compressedGreetings() throws InterruptedException {
        Datapath dp = Datapaths.insert("(gen,count=3,payload=hello) > (compress,export,name=greetings)");
        try (dp;
                StreamReader r = Streams.open("greetings")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = r.read(buf, 0, buf.length)) >= 0; ) { // blocks; -1 after gen's 3 blocks
                out.write(buf, 0, n);
            }
            return out.toByteArray(); // 3 gzip members, one per block: gunzip gives "1 hello2 hello3 hello"
        } // close(): every stage closed in reverse order, the stream gone
    }
    // README:end datapath

    // README:begin lanes
    static Map<Object, String> openWindowsOfTwoDevices(List<KeyValue> device1, List<KeyValue> device2)
            throws InterruptedException {
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("devices")
                .keyBy(KeyValue::key)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .changelog() // track the keys whose windows change, for checkpoints
                .start()) {
            LaneEmitter<KeyValue> in = job.laneEmitter("devices", Backpressure.BLOCK);
            in.emitAll(1, device1); // lane 1: this input's events...
            in.advance(1, device1.getLast().timestamp() - 500); // ...then its own watermark
            in.emitAll(2, device2); // far behind lane 1, and not late: lane 2 keeps its own time
            in.advance(2, device2.getLast().timestamp() - 500);
            in.publish(); // tell the shards that got none of a lane's events
            Map<Object, String> open = new ConcurrentHashMap<>();
            job.checkpoint((lane, key, state, lastEnd) -> {
                if (state != null) {
                    open.put(key, state); // elsewhere: job.restore(lane, open) before the lane's next events
                }
            });
            return open;
        }
    }
    // README:end lanes

    // README:begin operations
    static String importWithAWatchdog(List<String> batches) throws InterruptedException {
        LogStream imports = LogStreams.builder("myapp.imports")
                .enabled(true)
                .memory(1_000, 64 * 1024) // the last 1,000 lines: GET /logs/myapp.imports.json?last=N
                .declare();
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .withMaxRestarts(5, Duration.ofMinutes(1)); // libmtev's retries=5 per span=60s
        try (var scope = TaskletScope.supervise("importers").restart(policy).open()) {
            scope.fork("importer", () -> {
                // no beat for 30 s: reported (the watchdog stream, /watchdog.json), interrupted, restarted
                try (Heartbeat hb = Watchdog.registerRestarting("importer", Duration.ofSeconds(30))) {
                    for (String batch : batches) {
                        hb.beat();
                        imports.log("imported {}", batch); // formats nothing while the stream is off
                    }
                }
            });
            scope.join();
        }
        String last = imports.read(1, -1).getFirst().text();
        imports.enabled(false); // or PUT /logs/myapp.imports?enabled=false, or "log disable myapp.imports"
        return last;
    }
    // README:end operations
}
