package dev.warren.net;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A point-in-time view of a {@link TcpServer}'s counters. The counters are read one by one without
 * stopping the server, so under load they are individually exact but not mutually consistent (a
 * connection may already be counted as accepted but not yet as active).
 *
 * @param accepted connections accepted since start, including those closed at once by the limit
 * @param active connections being served now
 * @param closed connections closed since start, by reason (every reason present, zero included)
 * @param bytesIn bytes read from all connections
 * @param bytesOut bytes written to all connections
 */
public record TcpServerStats(long accepted, long active, Map<CloseReason, Long> closed, long bytesIn, long bytesOut) {

    public TcpServerStats {
        Objects.requireNonNull(closed, "closed");
        EnumMap<CloseReason, Long> all = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            all.put(r, closed.getOrDefault(r, 0L));
        }
        closed = java.util.Collections.unmodifiableMap(all);
    }

    /** How many connections were closed for {@code reason}. */
    public long closed(CloseReason reason) {
        return closed.get(reason);
    }

    /** How many connections were closed, for any reason. */
    public long closedTotal() {
        return closed.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The stats as a JSON-ready tree:
     * {@code {"accepted":..,"active":..,"closed":{"normal":..,"peer_reset":..,...},"bytes_in":..,"bytes_out":..}}.
     */
    public Map<String, Object> toTree() {
        Map<String, Object> c = new LinkedHashMap<>();
        closed.forEach((r, n) -> c.put(r.label(), n));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", accepted);
        m.put("active", active);
        m.put("closed", c);
        m.put("bytes_in", bytesIn);
        m.put("bytes_out", bytesOut);
        return m;
    }
}
