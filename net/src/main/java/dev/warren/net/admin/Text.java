package dev.warren.net.admin;

import java.util.List;
import java.util.Map;

/**
 * A JSON-ready tree (maps, lists, scalars; see {@code Json}) as indented text for a terminal: a map's
 * entries as {@code key: value}, a list's items as {@code - item}, nested ones indented by two.
 */
final class Text {
    private Text() {}

    static String of(Object tree) {
        StringBuilder b = new StringBuilder();
        write(tree, "", b);
        return b.toString();
    }

    private static void write(Object node, String indent, StringBuilder b) {
        if (node instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append(indent).append("(none)\n");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object v = e.getValue();
                b.append(indent).append(e.getKey()).append(':');
                if (isScalar(v)) {
                    b.append(' ').append(v).append('\n');
                } else {
                    b.append('\n');
                    write(v, indent + "  ", b);
                }
            }
        } else if (node instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append(indent).append("(none)\n");
            }
            for (Object v : l) {
                if (isScalar(v)) {
                    b.append(indent).append("- ").append(v).append('\n');
                } else {
                    b.append(indent).append("-\n");
                    write(v, indent + "  ", b);
                }
            }
        } else {
            b.append(indent).append(node).append('\n');
        }
    }

    private static boolean isScalar(Object v) {
        return !(v instanceof Map<?, ?>) && !(v instanceof List<?>);
    }
}
