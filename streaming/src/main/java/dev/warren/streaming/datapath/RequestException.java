package dev.warren.streaming.datapath;

/**
 * A datapath request that cannot be built: a syntax error, an unknown stage, an option a stage refuses,
 * a graph that cannot run (a stage with no input, a source with one). Nothing was opened when it is
 * thrown. The message names the place, with the request's line and a caret under it:
 *
 * <pre>
 * expected ')' at column 23
 *   (gen) &gt; (grep,pattern=x &gt; (count)
 *                         ^
 * </pre>
 *
 * <p>Immutable; safe to share between threads.
 */
public final class RequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The request as given. */
    private final String request;

    private final String reason;
    private final int line;
    private final int column;

    RequestException(String request, int index, String reason) {
        this(request, lineOf(request, index), columnOf(request, index), reason);
    }

    private RequestException(String request, int line, int column, String reason) {
        super(render(request, line, column, reason));
        this.request = request;
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    /** What is wrong, without the place: {@code expected ')'}. */
    public String reason() {
        return reason;
    }

    /** The line of the place, from 1. */
    public int line() {
        return line;
    }

    /** The column of the place on its line, from 1 (a tab counts as one column). */
    public int column() {
        return column;
    }

    /** The request that was refused. */
    public String request() {
        return request;
    }

    private static int lineOf(String s, int index) {
        int line = 1;
        for (int i = 0; i < Math.min(index, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static int columnOf(String s, int index) {
        int start = s.lastIndexOf('\n', Math.min(index, s.length()) - 1) + 1;
        return Math.min(index, s.length()) - start + 1;
    }

    private static String render(String request, int line, int column, String reason) {
        boolean multiLine = request.indexOf('\n') >= 0;
        StringBuilder m = new StringBuilder(reason.length() + 2 * request.length() + 40);
        m.append(reason).append(" at ");
        if (multiLine) {
            m.append("line ").append(line).append(", ");
        }
        m.append("column ").append(column);
        String[] lines = request.split("\n", -1);
        String text = line - 1 < lines.length ? lines[line - 1] : "";
        m.append("\n  ");
        appendPrintable(m, text);
        m.append("\n  ");
        for (int i = 0; i < column - 1 && i < text.length(); i++) {
            m.append(text.charAt(i) == '\t' ? '\t' : ' ');
        }
        for (int i = text.length(); i < column - 1; i++) {
            m.append(' ');
        }
        m.append('^');
        return m.toString();
    }

    /** Control characters would garble the caret line; they are shown as '?', one column each. */
    private static void appendPrintable(StringBuilder m, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            m.append(c == '\t' || (c >= ' ' && c != 0x7F) ? c : '?');
        }
    }
}
