package dev.warren.tasklets.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JFR event seen by a {@link PinningMonitor}: a virtual thread that pinned its carrier
 * ({@code jdk.VirtualThreadPinned}) or that could not be scheduled ({@code jdk.VirtualThreadSubmitFailed}).
 * Immutable.
 *
 * @param kind       {@code "pinned"} or {@code "submit-failed"}
 * @param start      when the pinned park (or the failed submit) began, on JFR's clock
 * @param duration   how long the carrier was held
 * @param threadName the virtual thread's name ({@code ""} if it had none)
 * @param threadId   the virtual thread's id
 * @param reason     why it pinned, when the JDK says (JDK 24+: {@code pinnedReason}, {@code blockingOperation}),
 *                   else null
 * @param frames     the top of the stack (at most {@link PinningMonitor#FRAMES}), the JDK's own
 *                   {@code VirtualThread} park frames left out, as {@code class.method(line)}
 * @param ours       whether any frame of the whole stack belongs to a class under the monitor's prefix
 * @param ourFrame   the topmost such frame, or null
 */
public record PinEvent(
        String kind,
        Instant start,
        Duration duration,
        String threadName,
        long threadId,
        String reason,
        List<String> frames,
        boolean ours,
        String ourFrame) {

    /** A multi-line description: what, who, how long, why, and the frames indented. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(kind)
                .append(": virtual thread '")
                .append(threadName)
                .append("' (#")
                .append(threadId)
                .append(") held its carrier for ")
                .append(duration.toNanos() / 1_000_000.0)
                .append(" ms");
        if (reason != null) {
            out.append(" [").append(reason).append(']');
        }
        out.append('\n');
        for (String f : frames) {
            out.append("    at ").append(f).append('\n');
        }
        return out.toString();
    }

    /** A JSON-ready tree of this event. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("start", start.toString());
        m.put("duration_ms", duration.toNanos() / 1_000_000.0);
        m.put("thread", threadName);
        m.put("thread_id", threadId);
        m.put("reason", reason);
        m.put("ours", ours);
        m.put("frames", frames);
        return m;
    }
}
