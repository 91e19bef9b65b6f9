package dev.warren.net.frame;

import dev.warren.net.TcpServerStats;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A point-in-time view of a {@link MessageServer}'s counters (each exact, not mutually consistent under
 * load). Message counters are added to once per read batch, so they may trail by one batch.
 *
 * @param messagesIn messages handed to the handler
 * @param messagesOut replies written
 * @param acksOut acknowledgement frames written to at-least-once clients
 * @param badFrames connections closed for a bad frame, by reason (every reason present, zero included)
 * @param tcp the underlying TCP server's counters (connections, close reasons, bytes)
 */
public record MessageServerStats(
        long messagesIn,
        long messagesOut,
        long acksOut,
        Map<FrameException.Reason, Long> badFrames,
        TcpServerStats tcp) {

    public MessageServerStats {
        Objects.requireNonNull(badFrames, "badFrames");
        Objects.requireNonNull(tcp, "tcp");
        EnumMap<FrameException.Reason, Long> all = new EnumMap<>(FrameException.Reason.class);
        for (FrameException.Reason r : FrameException.Reason.values()) {
            all.put(r, badFrames.getOrDefault(r, 0L));
        }
        badFrames = Collections.unmodifiableMap(all);
    }

    /** Connections closed for a bad frame of this kind. */
    public long badFrames(FrameException.Reason reason) {
        return badFrames.get(reason);
    }

    /** The stats as a JSON-ready tree; bad-frame reasons in lower case ({@code "too_large"}...). */
    public Map<String, Object> toTree() {
        Map<String, Object> bad = new LinkedHashMap<>();
        badFrames.forEach((r, n) -> bad.put(r.name().toLowerCase(Locale.ROOT), n));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messages_in", messagesIn);
        m.put("messages_out", messagesOut);
        m.put("acks_out", acksOut);
        m.put("bad_frames", bad);
        m.put("tcp", tcp.toTree());
        return m;
    }
}
