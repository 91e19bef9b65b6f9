package dev.warren.tasklets.observe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The label pairs of one series ({@code server="http :8080", status="2xx"}), checked and rendered to
 * Prometheus text once, when made. Immutable and thread-safe.
 */
public final class Labels {
    /** No labels. */
    public static final Labels NONE = new Labels(new String[0], new String[0]);

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final String[] names;
    private final String[] values;
    private final String text; // "" or {a="x",b="y"} without the closing brace handled by appendWith

    private Labels(String[] names, String[] values) {
        this.names = names;
        this.values = values;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            sb.append(i == 0 ? "" : ",").append(names[i]).append("=\"");
            escapeValue(values[i], sb);
            sb.append('"');
        }
        this.text = sb.toString();
    }

    /**
     * Labels from name/value pairs: {@code of("server", "api", "status", "2xx")}.
     *
     * @throws IllegalArgumentException if the count is odd, a name is not a valid label name
     *     ({@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}), a name repeats, or a value is null
     */
    public static Labels of(String... pairs) {
        if (pairs.length == 0) {
            return NONE;
        }
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "labels come in name/value pairs, got " + pairs.length + " strings: " + Arrays.toString(pairs));
        }
        String[] n = new String[pairs.length / 2];
        String[] v = new String[pairs.length / 2];
        for (int i = 0; i < n.length; i++) {
            String name = pairs[2 * i];
            String value = pairs[2 * i + 1];
            if (name == null || !NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException(
                        "not a valid label name (want [a-zA-Z_][a-zA-Z0-9_]*, not starting with __): \"" + name + "\"");
            }
            if (value == null) {
                throw new IllegalArgumentException("label " + name + " has a null value");
            }
            for (int j = 0; j < i; j++) {
                if (n[j].equals(name)) {
                    throw new IllegalArgumentException("label " + name + " given twice");
                }
            }
            n[i] = name;
            v[i] = value;
        }
        return new Labels(n, v);
    }

    /** Whether a label of this name is present. */
    public boolean has(String name) {
        for (String n : names) {
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The label names in order, comma-separated (for messages). */
    String namesText() {
        return String.join(",", names);
    }

    /** Appends {@code {labels}} (nothing when there are none). */
    void append(StringBuilder out) {
        if (!text.isEmpty()) {
            out.append('{').append(text).append('}');
        }
    }

    /** Appends {@code {labels,extra="value"}}; {@code value} is written as is (a number). */
    void appendWith(String extra, String value, StringBuilder out) {
        out.append('{').append(text);
        if (!text.isEmpty()) {
            out.append(',');
        }
        out.append(extra).append("=\"").append(value).append("\"}");
    }

    /** The labels as a JSON-ready map. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return m;
    }

    /** Escapes a label value as the text format wants: backslash, double quote and newline. */
    static void escapeValue(String v, StringBuilder out) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Labels l && l.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return "{" + text + "}";
    }
}
