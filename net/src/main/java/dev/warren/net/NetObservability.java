package dev.warren.net;

import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.MetricSink;
import dev.warren.tasklets.observe.Reports;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The network layer's report and metrics: the {@code sockets} report (libmtev's
 * {@code /eventer/sockets.json}) and the {@code warren_tcp_*} / {@code warren_udp_*} series, both read
 * at request time from the live servers' own counters, so they add nothing to the I/O path. Registered
 * when the first server or receiver starts.
 */
public final class NetObservability {
    /** Connections listed per listener when the caller gives no limit. */
    public static final int DEFAULT_CONNECTION_LIMIT = 100;

    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    private NetObservability() {}

    static void started() {
        if (REGISTERED.compareAndSet(false, true)) {
            Reports.register("sockets", () -> sockets(DEFAULT_CONNECTION_LIMIT));
            if (MetricRegistry.libraryMetrics()) {
                MetricRegistry.global().register(NetObservability::collect);
            }
        }
    }

    /**
     * The sockets report now: {@code {"listeners": [...], "connections_total": N}}, every TCP listener
     * (with its open connections, newest first, at most {@code connectionLimit} each, and their count) and
     * every UDP receiver, sorted by name. Never blocks; cost is linear in the open connections (the newest
     * are kept in a heap of {@code connectionLimit}).
     *
     * @throws IllegalArgumentException if {@code connectionLimit} is negative
     */
    public static Map<String, Object> sockets(int connectionLimit) {
        if (connectionLimit < 0) {
            throw new IllegalArgumentException("connection limit must be >= 0, was " + connectionLimit);
        }
        long now = System.nanoTime();
        List<TcpServerImpl> tcp = new ArrayList<>(TcpServerImpl.LIVE);
        tcp.sort(Comparator.comparing(TcpServerImpl::name));
        List<UdpReceiverImpl> udp = new ArrayList<>(UdpReceiverImpl.LIVE);
        udp.sort(Comparator.comparing(UdpReceiverImpl::name));
        List<Object> listeners = new ArrayList<>();
        long total = 0;
        for (TcpServerImpl s : tcp) {
            Map<String, Object> t = s.toTree(connectionLimit, now);
            total += ((Number) t.get("connections_total")).longValue();
            listeners.add(t);
        }
        for (UdpReceiverImpl r : udp) {
            listeners.add(r.toTree());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections_total", total);
        m.put("connection_limit", connectionLimit);
        m.put("listeners", listeners);
        return m;
    }

    private static void collect(MetricSink out) {
        for (TcpServerImpl s : TcpServerImpl.LIVE) {
            TcpServerStats st = s.stats();
            String[] l = {"server", s.name(), "protocol", s.protocol()};
            out.counter("warren_tcp_connections_accepted_total", "TCP connections accepted", st.accepted(), l);
            out.gauge("warren_tcp_connections_open", "TCP connections being served now", st.active(), l);
            for (Map.Entry<CloseReason, Long> e : st.closed().entrySet()) {
                out.counter(
                        "warren_tcp_connections_closed_total",
                        "TCP connections closed, by reason",
                        e.getValue(),
                        "server",
                        s.name(),
                        "protocol",
                        s.protocol(),
                        "reason",
                        e.getKey().label());
            }
            out.counter("warren_tcp_received_bytes_total", "Bytes read from TCP connections", st.bytesIn(), l);
            out.counter("warren_tcp_sent_bytes_total", "Bytes written to TCP connections", st.bytesOut(), l);
        }
        for (UdpReceiverImpl r : UdpReceiverImpl.LIVE) {
            UdpStats st = r.stats();
            String[] l = {"receiver", r.name()};
            out.counter("warren_udp_datagrams_received_total", "UDP datagrams received", st.datagrams(), l);
            out.counter("warren_udp_received_bytes_total", "UDP payload bytes received", st.bytes(), l);
            out.counter(
                    "warren_udp_datagrams_dropped_total",
                    "UDP datagrams lost: oversize, or dropped by the kernel (full receive buffer)",
                    st.drops(),
                    l);
            out.counter("warren_udp_handler_errors_total", "UDP datagrams whose handler threw", st.handlerErrors(), l);
        }
    }
}
