package dev.warren.tasklets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A point-in-time view of every live tasklet, as a forest: the root scope (tasklets started with
 * {@link Tasklets#start}) and the scopes opened outside any tasklet, each with its children, each child
 * with the scopes it has open, and so on down.
 *
 * <p>Taken without stopping anything, so it is a consistent picture of each node but not of the whole
 * tree at one instant: a tasklet that starts or ends while the snapshot is being taken may or may not
 * appear.
 *
 * @param scopes the top of the forest
 */
public record RegistrySnapshot(List<ScopeInfo> scopes) {

    /** The number of tasklets in the snapshot. */
    public int size() {
        return scopes.stream().mapToInt(ScopeInfo::countTasklets).sum();
    }

    /** Every tasklet in the snapshot, depth first. */
    public List<TaskletInfo> tasklets() {
        List<TaskletInfo> out = new ArrayList<>();
        for (ScopeInfo s : scopes) {
            collect(s, out);
        }
        return out;
    }

    private static void collect(ScopeInfo scope, List<TaskletInfo> out) {
        for (TaskletInfo t : scope.children()) {
            out.add(t);
            for (ScopeInfo s : t.scopes()) {
                collect(s, out);
            }
        }
    }

    /** The first tasklet (depth first) that matches. */
    public Optional<TaskletInfo> find(Predicate<TaskletInfo> test) {
        return tasklets().stream().filter(test).findFirst();
    }

    /** The first scope (depth first) with this name. */
    public Optional<ScopeInfo> findScope(String name) {
        List<ScopeInfo> todo = new ArrayList<>(scopes);
        while (!todo.isEmpty()) {
            ScopeInfo s = todo.remove(0);
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
            int at = 0;
            for (TaskletInfo t : s.children()) {
                todo.addAll(at, t.scopes());
                at += t.scopes().size();
            }
        }
        return Optional.empty();
    }

    /** The snapshot as a JSON-ready tree: {@code {"tasklets": N, "scopes": [...]}}. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasklets", size());
        m.put("scopes", scopes.stream().map(ScopeInfo::toTree).toList());
        return m;
    }

    /** An indented text tree, one line per scope and tasklet, as {@code ./tasklets_demo tree} prints it. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        for (ScopeInfo s : scopes) {
            text(s, "", out);
        }
        return out.toString();
    }

    private static void text(ScopeInfo s, String indent, StringBuilder out) {
        out.append(indent).append("scope ").append(s.name()).append(" [").append(s.policy());
        if (s.cancelled()) {
            out.append(", cancelled");
        }
        out.append(", ").append(s.children().size()).append(" live]\n");
        for (TaskletInfo t : s.children()) {
            out.append(indent)
                    .append("  #")
                    .append(t.id())
                    .append(' ')
                    .append(t.name())
                    .append(' ')
                    .append(t.state());
            if (t.cancelling()) {
                out.append(" (cancelling)");
            }
            out.append(' ').append(t.age().toMillis()).append(" ms");
            if (t.waitingOn() != null) {
                out.append(" waiting on ").append(t.waitingOn());
            }
            if (t.restarts() > 0) {
                out.append(" restarts=").append(t.restarts());
            }
            out.append('\n');
            for (ScopeInfo child : t.scopes()) {
                text(child, indent + "    ", out);
            }
        }
    }
}
