package dev.warren.net.frame;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of a {@link MessageClient}'s counters (each exact, not mutually consistent).
 *
 * <p><b>Accounting.</b> Once the client is closed, every message {@code send} accepted is counted exactly
 * once as delivered ({@code written} at most once, {@code acknowledged} at least once), {@code abandoned},
 * or, under {@link dev.warren.tasklets.OverflowPolicy#DROP_OLDEST}, evicted ({@code dropped}):
 * {@code accepted == delivered + abandoned (+ dropped under DROP_OLDEST)}. Messages a
 * {@code DROP_NEWEST} queue discards were never accepted.
 *
 * @param accepted messages {@code send} accepted onto the queue
 * @param dropped messages discarded by a DROP overflow policy (never sent)
 * @param written messages written to a socket and flushed, resends included
 * @param resent messages written again after a reconnect (at least once)
 * @param acknowledged messages the server acknowledged (at least once)
 * @param received messages the server sent (replies)
 * @param queued messages waiting in the queue now
 * @param unacknowledged messages written but not yet acknowledged now (at least once)
 * @param connects successful connections (and handshakes)
 * @param connectFailures failed connection attempts
 * @param disconnects connections that went down
 * @param abandoned messages the client gave up on: those still queued or unacknowledged when
 *     {@code close()} (or giving up reconnecting) ended the client, and, at most once, those taken for a
 *     write that failed with its connection (some of their bytes may have reached the server)
 */
public record MessageClientStats(
        long accepted,
        long dropped,
        long written,
        long resent,
        long acknowledged,
        long received,
        long queued,
        long unacknowledged,
        long connects,
        long connectFailures,
        long disconnects,
        long abandoned) {

    /** The stats as a JSON-ready tree. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", accepted);
        m.put("dropped", dropped);
        m.put("written", written);
        m.put("resent", resent);
        m.put("acknowledged", acknowledged);
        m.put("received", received);
        m.put("queued", queued);
        m.put("unacknowledged", unacknowledged);
        m.put("connects", connects);
        m.put("connect_failures", connectFailures);
        m.put("disconnects", disconnects);
        m.put("abandoned", abandoned);
        return m;
    }
}
