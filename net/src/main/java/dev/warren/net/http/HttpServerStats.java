package dev.warren.net.http;

import dev.warren.net.TcpServerStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of an {@link HttpServer}'s counters (read one by one without stopping the
 * server: individually exact, not mutually consistent under load).
 *
 * @param requests request heads parsed and dispatched to the handler
 * @param rejected requests answered with an error status by the server itself (400, 408, 413, 414,
 *     417, 431, 501, 505), each followed by closing the connection
 * @param handlerErrors handler exceptions turned into a 500, and response body writers that failed
 * @param tcp the connection-level counters
 */
public record HttpServerStats(long requests, long rejected, long handlerErrors, TcpServerStats tcp) {
    /** The stats as a JSON-ready tree. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("rejected", rejected);
        m.put("handler_errors", handlerErrors);
        m.put("connections", tcp.toTree());
        return m;
    }
}
