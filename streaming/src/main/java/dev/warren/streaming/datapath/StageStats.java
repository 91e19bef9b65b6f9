package dev.warren.streaming.datapath;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stage's counters at a moment: Streamline's "[to be filled in]" metadata.
 *
 * @param index the stage's place in the request, from 0
 * @param type the stage's type name ({@code grep})
 * @param label its name in the request ({@code name=...}) or the type name
 * @param role source or stage
 * @param in blocks that reached the stage (for a source: blocks it emitted)
 * @param bytesIn the bytes of those blocks
 * @param out blocks out per classification ({@code process} results and blocks the stage emitted);
 *     classifications of 64 and above are counted together under 64
 * @param outTotal the sum of {@code out}
 * @param dropped blocks classified 0, plus blocks a boundary discarded by its policy
 * @param unrouted blocks with a classification no edge after the stage accepts
 * @param emitted blocks the stage emitted itself (during process, endOfInput or from its own tasklet)
 * @param errors exceptions thrown by {@code process} or {@code endOfInput} (the block was dropped)
 * @param timeNanos time spent in {@code process}, estimated from every 64th call
 * @param ended whether every input of the stage has ended
 * @param state the stage's own state ({@link Stage#state()})
 */
public record StageStats(
        int index,
        String type,
        String label,
        Role role,
        long in,
        long bytesIn,
        Map<Integer, Long> out,
        long outTotal,
        long dropped,
        long unrouted,
        long emitted,
        long errors,
        long timeNanos,
        boolean ended,
        Map<String, Object> state) {

    /** Blocks out with {@code classification} (64 stands for 64 and above). */
    public long out(int classification) {
        return out.getOrDefault(Math.min(classification, Node.CLASSES), 0L);
    }

    /** As a JSON-ready tree for reports. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("type", type);
        m.put("label", label);
        m.put("role", role.name().toLowerCase(java.util.Locale.ROOT));
        m.put("in", in);
        m.put("bytes_in", bytesIn);
        Map<String, Object> o = new LinkedHashMap<>();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(out).entrySet()) {
            o.put(e.getKey() == Node.CLASSES ? "64+" : e.getKey().toString(), e.getValue());
        }
        m.put("out", o);
        m.put("dropped", dropped);
        m.put("unrouted", unrouted);
        m.put("emitted", emitted);
        m.put("errors", errors);
        m.put("time_ms", timeNanos / 1_000_000.0);
        m.put("ended", ended);
        m.put("state", state);
        return m;
    }
}
