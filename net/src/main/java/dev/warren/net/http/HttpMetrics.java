package dev.warren.net.http;

import dev.warren.tasklets.observe.Histogram;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.MetricSink;
import java.util.concurrent.atomic.LongAdder;

/**
 * One HTTP server's request series: requests by method and status class ({@link LongAdder}s in a fixed
 * table, so recording is an index computation and one striped increment) and the request-duration
 * histogram; registered with {@link MetricRegistry#global()} while the server runs.
 *
 * <p>The duration runs from the parsed request head to the response written into the connection's buffer
 * (it leaves with the flush before the next wait), so it is the server's time, not the network's.
 * Methods outside the common ones are counted as {@code other}, so a client cannot grow the label set.
 */
final class HttpMetrics {
    static final boolean ON = MetricRegistry.libraryMetrics();

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"};
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final HttpServer server;
    private final String name;
    private final LongAdder[] requests = new LongAdder[METHODS.length * CLASSES.length];
    private final Histogram duration = new Histogram(
            "warren_http_request_duration_seconds",
            "Time from a parsed request head to its response written",
            Histogram.Buckets.LATENCY);
    private final MetricRegistry.Registration registration;

    HttpMetrics(HttpServer server, String name) {
        this.server = server;
        this.name = name;
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new LongAdder();
        }
        this.registration = MetricRegistry.global().register(this::collect);
    }

    void record(String method, int status, long startNanos, long endNanos) {
        int c = Math.min(Math.max(status / 100, 1), 5) - 1;
        requests[methodIndex(method) * CLASSES.length + c].increment();
        duration.record(Math.max(0, endNanos - startNanos), endNanos);
    }

    private static int methodIndex(String m) {
        return switch (m) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "PATCH" -> 5;
            case "OPTIONS" -> 6;
            default -> 7;
        };
    }

    private void collect(MetricSink out) {
        String help = "HTTP requests answered by the handler, by method and status class";
        for (int m = 0; m < METHODS.length; m++) {
            for (int c = 0; c < CLASSES.length; c++) {
                long n = requests[m * CLASSES.length + c].sum();
                // GET 2xx always, so a fresh server shows the series; the others once they happen
                if (n > 0 || (m == 0 && c == 1)) {
                    out.counter(
                            "warren_http_requests_total",
                            help,
                            n,
                            "server",
                            name,
                            "method",
                            METHODS[m],
                            "status",
                            CLASSES[c]);
                }
            }
        }
        out.histogram(duration.name(), duration.help(), duration, "server", name);
        HttpServerStats st = server.stats();
        out.counter(
                "warren_http_rejected_total",
                "Requests the server itself refused (400, 408, 413, 414, 417, 431, 501, 505), closing the connection",
                st.rejected(),
                "server",
                name);
        out.counter(
                "warren_http_handler_errors_total",
                "Handler exceptions answered with 500, and failed streaming bodies",
                st.handlerErrors(),
                "server",
                name);
    }

    void close() {
        registration.close();
    }
}
