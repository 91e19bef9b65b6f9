package dev.warren.tasklets;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scope in a {@link RegistrySnapshot}.
 *
 * @param name the scope's name
 * @param policy "fail-fast", "first-success", "supervise", or "root" for the scope of
 *     {@link Tasklets#start} tasklets
 * @param ownerThread for a scope opened outside any tasklet, the name of the thread that opened it;
 *     otherwise null (the scope appears under its owning tasklet)
 * @param age time since it was opened
 * @param cancelled whether the scope was cancelled
 * @param maxConcurrency its concurrency limit, 0 if none
 * @param children its live tasklets
 */
public record ScopeInfo(
        String name,
        String policy,
        String ownerThread,
        Duration age,
        boolean cancelled,
        int maxConcurrency,
        List<TaskletInfo> children) {

    /** This node as a JSON-ready tree (see {@link dev.warren.tasklets.observe.Json}). */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", name);
        m.put("policy", policy);
        if (ownerThread != null) {
            m.put("owner_thread", ownerThread);
        }
        m.put("age_ms", age.toMillis());
        if (cancelled) {
            m.put("cancelled", true);
        }
        if (maxConcurrency > 0) {
            m.put("max_concurrency", maxConcurrency);
        }
        m.put("tasklets", children.stream().map(TaskletInfo::toTree).toList());
        return m;
    }

    /** The number of tasklets in this scope and below. */
    public int countTasklets() {
        int n = 0;
        for (TaskletInfo t : children) {
            n++;
            for (ScopeInfo s : t.scopes()) {
                n += s.countTasklets();
            }
        }
        return n;
    }
}
