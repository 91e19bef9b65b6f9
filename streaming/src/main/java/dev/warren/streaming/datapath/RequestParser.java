package dev.warren.streaming.datapath;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The recursive-descent parser of the request language (docs/DATAPATHS.md has the grammar). Every
 * refusal is a {@link RequestException} naming the place; nesting is bounded so that no input can
 * exhaust the stack.
 */
final class RequestParser {
    /** Groups nested deeper than this are refused (a request is written by hand; the stack is not). */
    static final int MAX_DEPTH = 64;

    private final String s;
    private int i;
    private int depth;

    private RequestParser(String s) {
        this.s = s;
    }

    static Ast.Seq parse(String request) {
        Objects.requireNonNull(request, "request");
        RequestParser p = new RequestParser(request);
        p.ws();
        if (p.atEnd()) {
            throw p.error(p.i, "empty request: expected a stage such as '(gen)'");
        }
        Ast.Seq seq = p.sequence();
        p.ws();
        if (!p.atEnd()) {
            char c = p.peek();
            throw p.error(
                    p.i,
                    switch (c) {
                        case ')' -> "unexpected ')' with no '(' to close";
                        case '|' -> "'|' outside a group: put the branches in parentheses, ((a) | (b))";
                        default -> "expected '>' or the end of the request, found " + show(c);
                    });
        }
        return seq;
    }

    private Ast.Seq sequence() {
        List<Ast.Element> elements = new ArrayList<>();
        List<Ast.Link> links = new ArrayList<>();
        elements.add(element());
        for (; ; ) {
            int save = i;
            ws();
            if (atEnd() || peek() != '>') {
                i = save;
                return new Ast.Seq(List.copyOf(elements), List.copyOf(links));
            }
            int pos = i++;
            boolean route = false;
            Range range = null;
            if (!atEnd() && peek() == '>') {
                route = true;
                i++;
            } else if (!atEnd() && peek() == '[') {
                range = range();
            }
            ws();
            Ast.Element e = element();
            if (route) {
                if (!(e instanceof Ast.Group g)) {
                    throw error(
                            e.pos(),
                            "'>>' routes classification n to branch n: it must be followed by a group"
                                    + " of branches, ((a) | (b))");
                }
                for (Ast.Branch b : g.branches()) {
                    if (b.range() != null) {
                        throw error(
                                b.rangePos(),
                                "a branch after '>>' takes its classification from its position; remove the range"
                                        + " or use '>' with ranges");
                    }
                }
            }
            links.add(new Ast.Link(route, range, pos));
            elements.add(e);
        }
    }

    private Ast.Element element() {
        if (atEnd()) {
            throw error(i, "expected '(' (a stage or a group) but the request ended");
        }
        if (peek() != '(') {
            throw error(i, "expected '(' (a stage or a group), found " + show(peek()));
        }
        int pos = i++;
        ws();
        if (!atEnd() && (peek() == '(' || peek() == '[')) {
            return group(pos);
        }
        return stage(pos);
    }

    private Ast.Group group(int pos) {
        if (++depth > MAX_DEPTH) {
            throw error(pos, "groups nested deeper than " + MAX_DEPTH);
        }
        List<Ast.Branch> branches = new ArrayList<>();
        branches.add(branch());
        ws();
        while (!atEnd() && peek() == '|') {
            i++;
            ws();
            branches.add(branch());
            ws();
        }
        if (atEnd()) {
            throw error(
                    i,
                    "expected '|' or ')' but the request ended (the group at column " + column(pos)
                            + " is not closed)");
        }
        if (peek() != ')') {
            throw error(i, "expected '|' or ')', found " + show(peek()));
        }
        i++;
        depth--;
        return new Ast.Group(List.copyOf(branches), pos);
    }

    private Ast.Branch branch() {
        int rangePos = i;
        Range range = null;
        if (!atEnd() && peek() == '[') {
            range = range();
            ws();
        }
        return new Ast.Branch(range, rangePos, sequence());
    }

    private Ast.StageRef stage(int pos) {
        int namePos = i;
        String name = ident(false);
        if (name == null) {
            throw error(
                    namePos,
                    atEnd()
                            ? "expected a stage name but the request ended"
                            : "expected a stage name" + " (letters, digits, '_', '-', '.'), found " + show(peek()));
        }
        List<Ast.Option> options = new ArrayList<>();
        for (; ; ) {
            ws();
            if (atEnd()) {
                throw error(
                        i,
                        "expected ',' or ')' but the request ended (stage '" + name + "' at column " + column(pos)
                                + " is not closed)");
            }
            char c = peek();
            if (c == ')') {
                i++;
                return new Ast.StageRef(name, List.copyOf(options), pos, namePos);
            }
            if (c != ',') {
                throw error(i, "expected ',' or ')', found " + show(c));
            }
            i++;
            ws();
            options.add(option());
        }
    }

    private Ast.Option option() {
        int pos = i;
        String key = ident(true);
        if (key == null) {
            throw error(
                    pos,
                    atEnd()
                            ? "expected an option but the request ended"
                            : "expected an option name, found " + show(peek()));
        }
        int save = i;
        ws();
        if (atEnd() || peek() != '=') {
            i = save;
            return new Ast.Option(key, null, pos);
        }
        i++;
        ws();
        return new Ast.Option(key, value(), pos);
    }

    private String value() {
        if (atEnd()) {
            throw error(i, "expected a value after '=' but the request ended");
        }
        if (peek() == '"') {
            return quoted();
        }
        int start = i;
        while (!atEnd() && isBare(peek())) {
            i++;
        }
        if (i == start) {
            throw error(
                    i,
                    "expected a value after '=', found " + show(peek()) + " (quote values with such"
                            + " characters: \"...\")");
        }
        return s.substring(start, i);
    }

    private static boolean isBare(char c) {
        return !(c == ',' || c == '(' || c == ')' || c == '"' || Character.isWhitespace(c));
    }

    private String quoted() {
        int open = i++;
        StringBuilder v = new StringBuilder();
        for (; ; ) {
            if (atEnd()) {
                throw error(open, "unterminated string: no closing '\"'");
            }
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return v.toString();
            }
            if (c != '\\') {
                v.append(c);
                i++;
                continue;
            }
            int esc = i++;
            if (atEnd()) {
                throw error(open, "unterminated string: no closing '\"'");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"' -> v.append('"');
                case '\\' -> v.append('\\');
                case 'n' -> v.append('\n');
                case 't' -> v.append('\t');
                case 'r' -> v.append('\r');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error(esc, "'\\u' needs four hex digits");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) {
                            throw error(esc, "'\\u' needs four hex digits");
                        }
                        code = code * 16 + d;
                    }
                    i += 4;
                    v.append((char) code);
                }
                default ->
                    throw error(esc, "unknown escape '\\" + printable(e) + "' (known: \\\" \\\\ \\n \\t \\r \\uXXXX)");
            }
        }
    }

    private Range range() {
        int open = i++;
        List<Range> parts = new ArrayList<>();
        for (; ; ) {
            ws();
            if (atEnd()) {
                throw error(
                        i,
                        "expected a classification, '*' or ']' but the request ended (the range at column "
                                + column(open) + " is not closed)");
            }
            int pos = i;
            if (peek() == '*') {
                i++;
                parts.add(Range.ALL);
            } else {
                int lo = number();
                int save = i;
                ws();
                if (!atEnd() && peek() == '-') {
                    i++;
                    ws();
                    int hi = number();
                    if (lo > hi) {
                        throw error(
                                pos, "empty range " + lo + "-" + hi + ": the first bound must not exceed the second");
                    }
                    parts.add(Range.between(lo, hi));
                } else {
                    i = save;
                    parts.add(Range.of(lo));
                }
            }
            ws();
            if (atEnd()) {
                throw error(
                        i,
                        "expected ',' or ']' but the request ended (the range at column " + column(open)
                                + " is not closed)");
            }
            char c = peek();
            if (c == ']') {
                i++;
                return Range.union(parts);
            }
            if (c != ',') {
                throw error(i, "expected ',' or ']' in a range, found " + show(c));
            }
            i++;
        }
    }

    private int number() {
        int start = i;
        while (!atEnd() && peek() >= '0' && peek() <= '9') {
            i++;
        }
        if (i == start) {
            throw error(
                    i,
                    atEnd()
                            ? "expected a classification (0-65535) but the request ended"
                            : "expected a classification (0-65535) or '*', found " + show(peek()));
        }
        if (i - start > 5 || Integer.parseInt(s, start, i, 10) > Range.MAX) {
            throw error(start, "classification " + s.substring(start, i) + " is above " + Range.MAX);
        }
        return Integer.parseInt(s, start, i, 10);
    }

    /** A stage name (from a letter) or an option key (also from a digit: classify's {@code 1=ERROR}). */
    private String ident(boolean key) {
        if (atEnd()) {
            return null;
        }
        char c = peek();
        if (!isLetter(c) && !(key && c >= '0' && c <= '9')) {
            return null;
        }
        int start = i++;
        while (!atEnd() && (isLetter(peek()) || peek() == '-' || peek() == '.' || (peek() >= '0' && peek() <= '9'))) {
            i++;
        }
        return s.substring(start, i);
    }

    private static boolean isLetter(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private void ws() {
        while (!atEnd() && Character.isWhitespace(peek())) {
            i++;
        }
    }

    private boolean atEnd() {
        return i >= s.length();
    }

    private char peek() {
        return s.charAt(i);
    }

    private int column(int index) {
        return index - (s.lastIndexOf('\n', index - 1) + 1) + 1;
    }

    private RequestException error(int at, String reason) {
        return new RequestException(s, at, reason);
    }

    private static String show(char c) {
        return "'" + printable(c) + "'";
    }

    private static String printable(char c) {
        return c < ' ' || c == 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
