package dev.warren.net.admin;

import dev.warren.tasklets.RegistrySnapshot;
import dev.warren.tasklets.ScopeInfo;
import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.TaskletState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /tasklets.json}: the live tree pruned to the tasklets that match (state, name substring), at most
 * {@code limit} of them; the scopes and tasklets above a match stay, marked {@code "match": false}, so
 * every match is shown where it lives.
 */
final class TaskletFilter {
    static final int DEFAULT_LIMIT = 1000;

    private final TaskletState state; // null: any
    private final String name; // null: any

    private TaskletFilter(TaskletState state, String name) {
        this.state = state;
        this.name = name;
    }

    static TaskletFilter parse(String state, String name) {
        TaskletState s = null;
        if (state != null) {
            try {
                s = TaskletState.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new AdminHandler.BadRequest(
                        "state must be one of " + Arrays.toString(TaskletState.values()) + ", was '" + state + "'");
            }
        }
        return new TaskletFilter(s, name == null || name.isEmpty() ? null : name);
    }

    private boolean filtering() {
        return state != null || name != null;
    }

    private boolean matches(TaskletInfo t) {
        return (state == null || t.state() == state)
                && (name == null || t.name().contains(name));
    }

    Map<String, Object> apply(RegistrySnapshot snap, int limit) {
        int[] budget = {limit};
        int[] matched = {0};
        List<Object> scopes = new ArrayList<>();
        for (ScopeInfo s : snap.scopes()) {
            Map<String, Object> t = scope(s, budget, matched);
            if (t != null) {
                scopes.add(t);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasklets", snap.size());
        m.put("matched", matched[0]);
        m.put("shown", Math.min(limit, matched[0]));
        m.put("truncated", matched[0] > limit);
        m.put("limit", limit);
        if (state != null) {
            m.put("state", state);
        }
        if (name != null) {
            m.put("name", name);
        }
        m.put("scopes", scopes);
        return m;
    }

    /** The scope's tree with only kept tasklets, or null if it keeps none (and we are filtering). */
    private Map<String, Object> scope(ScopeInfo s, int[] budget, int[] matched) {
        List<Object> kids = new ArrayList<>();
        for (TaskletInfo t : s.children()) {
            Map<String, Object> k = tasklet(t, budget, matched);
            if (k != null) {
                kids.add(k);
            }
        }
        if (kids.isEmpty() && (filtering() || budget[0] <= 0)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", s.name());
        m.put("policy", s.policy());
        if (s.ownerThread() != null) {
            m.put("owner_thread", s.ownerThread());
        }
        m.put("age_ms", s.age().toMillis());
        if (s.cancelled()) {
            m.put("cancelled", true);
        }
        if (s.maxConcurrency() > 0) {
            m.put("max_concurrency", s.maxConcurrency());
        }
        m.put("live", s.children().size());
        m.put("tasklets", kids);
        return m;
    }

    private Map<String, Object> tasklet(TaskletInfo t, int[] budget, int[] matched) {
        boolean match = matches(t);
        boolean shown = false;
        if (match) {
            matched[0]++;
            if (budget[0] > 0) {
                budget[0]--;
                shown = true;
            }
        }
        List<Object> scopes = new ArrayList<>();
        for (ScopeInfo s : t.scopes()) {
            Map<String, Object> x = scope(s, budget, matched);
            if (x != null) {
                scopes.add(x);
            }
        }
        if (!shown && scopes.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("state", t.state());
        if (t.cancelling()) {
            m.put("cancelling", true);
        }
        m.put("age_ms", t.age().toMillis());
        if (t.waitingOn() != null) {
            m.put("waiting_on", t.waitingOn());
        }
        if (t.restarts() > 0) {
            m.put("restarts", t.restarts());
        }
        if (!shown) {
            m.put("match", false);
        }
        if (!scopes.isEmpty()) {
            m.put("scopes", scopes);
        }
        return m;
    }
}
