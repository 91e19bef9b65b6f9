package dev.warren.streaming.datapath;

import java.util.List;

/** The parsed form of a request; positions are indexes into the request text. */
final class Ast {
    private Ast() {}

    /** A stage or a group of branches. */
    sealed interface Element permits StageRef, Group {
        int pos();
    }

    /** {@code (name,key=value,flag)}. */
    record StageRef(String name, List<Option> options, int pos, int namePos) implements Element {}

    /** {@code key=value}, or a flag ({@code value == null}). */
    record Option(String key, String value, int pos) {}

    /** {@code ((a) | [2] (b) > (c))}. */
    record Group(List<Branch> branches, int pos) implements Element {}

    /** One branch of a group, with the range its entry edges accept ({@code null}: the edge's). */
    record Branch(Range range, int rangePos, Seq seq) {}

    /** Elements joined by links; {@code links.size() == elements.size() - 1}. */
    record Seq(List<Element> elements, List<Link> links) {}

    /** {@code >}, {@code >[range]} or the routing {@code >>}. */
    record Link(boolean route, Range range, int pos) {}
}
