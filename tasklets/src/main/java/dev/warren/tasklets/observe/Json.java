package dev.warren.tasklets.observe;

import java.util.Map;

/**
 * A small JSON writer for report snapshots. A snapshot is a tree of plain Java values:
 * {@link Map} (keys written with {@code String.valueOf}, in the map's iteration order — use a
 * {@link java.util.LinkedHashMap} for a stable order), {@link Iterable} and arrays of objects,
 * {@link CharSequence}, {@link Number}, {@link Boolean}, {@link Enum} (its name) and {@code null}.
 * Anything else is written as its {@code toString()} in a JSON string.
 *
 * <p>Non-finite doubles have no JSON form and are written as {@code null}. Stateless and thread-safe.
 */
public final class Json {
    private Json() {}

    /** The compact JSON text of {@code tree}. */
    public static String write(Object tree) {
        StringBuilder out = new StringBuilder(256);
        write(tree, out);
        return out.toString();
    }

    /** Appends the compact JSON text of {@code tree} to {@code out}. */
    public static void write(Object tree, StringBuilder out) {
        if (tree == null) {
            out.append("null");
        } else if (tree instanceof CharSequence s) {
            quote(s, out);
        } else if (tree instanceof Double d) {
            number(d, out);
        } else if (tree instanceof Float f) {
            number(f.doubleValue(), out);
        } else if (tree instanceof Number || tree instanceof Boolean) {
            out.append(tree);
        } else if (tree instanceof Enum<?> e) {
            quote(e.name(), out);
        } else if (tree instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (tree instanceof Iterable<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(item, out);
            }
            out.append(']');
        } else if (tree instanceof Object[] items) {
            write(java.util.Arrays.asList(items), out);
        } else {
            quote(tree.toString(), out);
        }
    }

    private static void number(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    /** Appends {@code s} as a JSON string literal, escaping quotes, backslashes and control characters. */
    public static void quote(CharSequence s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
