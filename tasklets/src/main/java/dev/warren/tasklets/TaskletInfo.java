package dev.warren.tasklets;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One tasklet in a {@link RegistrySnapshot}.
 *
 * @param id the tasklet's id
 * @param name its name
 * @param state its state when the snapshot was taken
 * @param cancelling true if cancellation was requested and the tasklet has not stopped yet
 * @param age time since it was created
 * @param waitingOn what it is parked on where a Warren primitive said so (a channel, a job queue, a
 *     socket, "restart backoff"), else null
 * @param restarts how many times a supervising scope restarted it
 * @param scopes the scopes this tasklet has open, with their own children
 */
public record TaskletInfo(
        long id,
        String name,
        TaskletState state,
        boolean cancelling,
        Duration age,
        String waitingOn,
        int restarts,
        List<ScopeInfo> scopes) {

    /** This node as a JSON-ready tree (see {@link dev.warren.tasklets.observe.Json}). */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("state", state);
        if (cancelling) {
            m.put("cancelling", true);
        }
        m.put("age_ms", age.toMillis());
        if (waitingOn != null) {
            m.put("waiting_on", waitingOn);
        }
        if (restarts > 0) {
            m.put("restarts", restarts);
        }
        if (!scopes.isEmpty()) {
            m.put("scopes", scopes.stream().map(ScopeInfo::toTree).toList());
        }
        return m;
    }
}
