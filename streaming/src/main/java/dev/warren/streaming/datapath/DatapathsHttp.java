package dev.warren.streaming.datapath;

import dev.warren.net.http.HttpHandler;
import dev.warren.net.http.Request;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.tasklets.observe.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * HTTP views of datapaths, for the admin server to serve beside its own endpoints,
 * {@code AdminServer.builder().routes(DatapathsHttp.router())} (behind its token, if it has one), or for
 * any {@code HttpServer} ({@link #router()} is a handler):
 * <ul>
 *   <li>{@link #streamHandler()} at {@code /streams/{name}}: the stream's raw bytes, chunked; what the ring
 *       holds now, or with {@code ?follow=1} everything that follows until the stream ends (the client
 *       closing stops it), sent as it comes: flushed whenever the reader has caught up;</li>
 *   <li>{@code /datapaths.json}: the {@code datapaths} report; {@code /datapaths/{id}.dot} and
 *       {@code /datapaths/{id}.json}: one datapath's graph with live counts, and its report.</li>
 * </ul>
 *
 * <p><b>Threading.</b> The handlers run on the request's connection tasklet and block while they stream.
 */
public final class DatapathsHttp {
    /** How long a follower, caught up and flushed, waits for a block before it looks again. */
    private static final Duration FOLLOW_POLL = Duration.ofMillis(200);

    private DatapathsHttp() {}

    /** The handler of {@code /streams/{name}} (the path parameter {@code name}, or the last path segment). */
    public static HttpHandler streamHandler() {
        return DatapathsHttp::stream;
    }

    /** A router of {@code /streams/{name}}, {@code /datapaths.json}, {@code /datapaths/{id}.dot|.json}. */
    public static Router router() {
        return Router.builder()
                .get("/streams/{name}", streamHandler())
                .get("/datapaths.json", req -> json(DatapathsReport.snapshot()))
                .get("/datapaths/{file}", DatapathsHttp::datapath)
                .build();
    }

    private static Response stream(Request req) {
        String name = req.pathParam("name");
        if (name == null) {
            String p = req.path();
            name = p.substring(p.lastIndexOf('/') + 1);
        }
        boolean follow = "1".equals(req.queryParam("follow")) || "true".equals(req.queryParam("follow"));
        StreamReader reader;
        try {
            reader = Streams.open(name);
        } catch (NoSuchElementException e) {
            return Response.text(404, e.getMessage() + "\n");
        }
        return Response.status(200).header("Cache-Control", "no-store").stream(
                "application/octet-stream", out -> copy(reader, out, follow));
    }

    private static void copy(StreamReader reader, OutputStream out, boolean follow) throws IOException {
        byte[] buf = new byte[64 << 10];
        try (reader) {
            for (; ; ) {
                int n = reader.read(buf, 0, buf.length, Duration.ZERO);
                if (n == 0) {
                    if (!follow) {
                        return;
                    }
                    // Caught up: send what was written now. Flushing only when a poll times out would hold a
                    // steady trickle (a block every 100 ms) in the buffers until they fill, for minutes.
                    out.flush();
                    n = reader.read(buf, 0, buf.length, FOLLOW_POLL);
                }
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    out.write(buf, 0, n);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("stream '" + reader.name() + "': interrupted");
        }
    }

    private static Response datapath(Request req) {
        String file = req.pathParam("file");
        int dot = file.lastIndexOf('.');
        if (dot < 0) {
            return Response.text(404, "use /datapaths/ID.dot or /datapaths/ID.json\n");
        }
        Optional<Datapath> dp;
        try {
            dp = Datapaths.get(Long.parseLong(file.substring(0, dot)));
        } catch (NumberFormatException e) {
            dp = Optional.empty();
        }
        if (dp.isEmpty()) {
            return Response.text(404, "no datapath " + file.substring(0, dot) + "\n");
        }
        return switch (file.substring(dot + 1)) {
            case "dot" ->
                Response.status(200).body(dp.get().dot().getBytes(StandardCharsets.UTF_8), "text/vnd.graphviz");
            case "json" -> json(dp.get().report());
            default -> Response.text(404, "use /datapaths/ID.dot or /datapaths/ID.json\n");
        };
    }

    private static Response json(Object tree) {
        return Response.status(200).body(Json.write(tree).getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
