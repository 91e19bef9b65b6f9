package dev.warren.streaming.datapath;

import java.util.Locale;

/** Graphviz DOT of a datapath with its live counts. */
final class Dot {
    private Dot() {}

    static String render(DatapathImpl dp) {
        StringBuilder s = new StringBuilder(512);
        s.append("digraph \"datapath ").append(dp.id).append("\" {\n");
        s.append("  rankdir=LR;\n");
        s.append("  label=").append(quote(dp.request)).append(";\n");
        s.append("  labelloc=t;\n");
        s.append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
        s.append("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        for (Node n : dp.nodes) {
            StageStats st = n.stats();
            StringBuilder label = new StringBuilder();
            label.append(n.label.equals(n.type.name()) ? n.label : n.label + " (" + n.type.name() + ")");
            label.append("\\n#").append(n.index).append(n.role == Role.SOURCE ? " source" : "");
            label.append("\\nin ")
                    .append(st.in())
                    .append(" (")
                    .append(bytes(st.bytesIn()))
                    .append(')');
            label.append("\\nout ").append(st.outTotal());
            if (st.dropped() > 0) {
                label.append(", dropped ").append(st.dropped());
            }
            if (st.unrouted() > 0) {
                label.append(", unrouted ").append(st.unrouted());
            }
            if (st.errors() > 0) {
                label.append(", errors ").append(st.errors());
            }
            s.append("  s")
                    .append(n.index)
                    .append(" [label=\"")
                    .append(escape(label.toString()))
                    .append('"');
            if (n.link != null) {
                s.append(", shape=cds, style=\"\"");
            } else if (n.role == Role.SOURCE) {
                s.append(", shape=invhouse, style=\"\"");
            }
            s.append("];\n");
            if (n.export != null) {
                s.append("  x")
                        .append(n.index)
                        .append(" [label=\"")
                        .append(escape(n.export.name + "\\n" + n.export.written() + " blocks"))
                        .append("\", shape=cylinder, style=\"\"];\n");
                s.append("  s").append(n.index).append(" -> x").append(n.index).append(" [style=dotted];\n");
            }
        }
        for (Node n : dp.nodes) {
            for (Edge e : n.out) {
                s.append("  s").append(n.index).append(" -> s").append(e.to.index);
                boolean label = !e.range.equals(Range.DEFAULT);
                boolean dashed = n.link != null;
                if (label || dashed) {
                    s.append(" [");
                    if (label) {
                        s.append("label=\"[").append(e.range).append("]\"");
                    }
                    if (dashed) {
                        s.append(label ? ", " : "").append("style=dashed");
                    }
                    s.append(']');
                }
                s.append(";\n");
            }
        }
        s.append("}\n");
        return s.toString();
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    /** Escapes a label that may already hold {@code \n} line breaks (kept). */
    private static String escape(String s) {
        return s.replace("\"", "\\\"").replace("\\\\n", "\\n");
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r', '\t' -> q.append(' ');
                default -> q.append(c);
            }
        }
        return q.append('"').toString();
    }
}
