package dev.warren.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of a {@link UdpReceiver}'s counters.
 *
 * @param datagrams datagrams received and given to the handler
 * @param bytes payload bytes of those datagrams
 * @param oversize datagrams dropped by the receiver because they were larger than its maximum size
 * @param handlerErrors datagrams whose handler threw
 * @param kernelDrops datagrams the kernel dropped on this socket (its receive buffer was full), as
 *     Linux reports in the {@code drops} column of {@code /proc/net/udp} or {@code /proc/net/udp6};
 *     {@code -1} where that is not available
 * @param receiveBufferSize the socket's SO_RCVBUF as the kernel reports it (Linux doubles the request)
 */
public record UdpStats(
        long datagrams, long bytes, long oversize, long handlerErrors, long kernelDrops, int receiveBufferSize) {

    /** Everything dropped that we know of: oversize plus kernel drops (when known). */
    public long drops() {
        return oversize + Math.max(0, kernelDrops);
    }

    /** The stats as a JSON-ready tree, keys in snake case. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("datagrams", datagrams);
        m.put("bytes", bytes);
        m.put("drops", drops());
        m.put("oversize", oversize);
        m.put("handler_errors", handlerErrors);
        m.put("kernel_drops", kernelDrops);
        m.put("receive_buffer_size", receiveBufferSize);
        return m;
    }
}
