package dev.warren.streaming;

/**
 * The event of trafilo's wire format, one {@code KEY [VALUE [TIMESTAMP_MS]]} line: a key, a value
 * (1 when absent) and an optional timestamp. {@link #parse} is a ready {@link Parser} for line sources.
 *
 * @param key the key, never empty
 * @param value the value
 * @param timestamp milliseconds since the epoch, or {@link #NO_TIMESTAMP}
 */
public record KeyValue(String key, double value, long timestamp) {

    /** The timestamp of a line that carries none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /**
     * Parses {@code KEY [VALUE [TIMESTAMP_MS]]}, fields separated by spaces or tabs, surrounding
     * whitespace ignored.
     *
     * @throws IllegalArgumentException if the line is blank, a number does not parse, or there are more
     *     than three fields
     */
    public static KeyValue parse(String line) {
        int n = line.length();
        int i = skip(line, 0, n);
        if (i == n) {
            throw new IllegalArgumentException("empty line");
        }
        int keyEnd = token(line, i, n);
        String key = line.substring(i, keyEnd);
        i = skip(line, keyEnd, n);
        if (i == n) {
            return new KeyValue(key, 1, NO_TIMESTAMP);
        }
        int vEnd = token(line, i, n);
        double value;
        try {
            value = Double.parseDouble(line.substring(i, vEnd));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value is not a number: '" + line.substring(i, vEnd) + "'");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value is not finite: '" + line.substring(i, vEnd) + "'");
        }
        i = skip(line, vEnd, n);
        if (i == n) {
            return new KeyValue(key, value, NO_TIMESTAMP);
        }
        int tEnd = token(line, i, n);
        long ts;
        try {
            ts = Long.parseLong(line, i, tEnd, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("timestamp is not an integer: '" + line.substring(i, tEnd) + "'");
        }
        if (skip(line, tEnd, n) != n) {
            throw new IllegalArgumentException("more than 3 fields");
        }
        return new KeyValue(key, value, ts);
    }

    private static int skip(String s, int i, int n) {
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }

    private static int token(String s, int i, int n) {
        while (i < n && s.charAt(i) != ' ' && s.charAt(i) != '\t' && s.charAt(i) != '\r' && s.charAt(i) != '\n') {
            i++;
        }
        return i;
    }
}
