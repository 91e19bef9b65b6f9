package dev.warren.streaming.datapath;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The options of one stage in a request, {@code (grep,pattern=err,invert)}: keys with text values,
 * and flags (a key without a value). The typed getters check the value and throw an
 * {@link IllegalArgumentException} naming the option and the bad value, which the datapath turns into a
 * {@link RequestException} with a caret under that option.
 *
 * <p>Immutable and thread-safe. The datapath's own options ({@code name}, {@code export},
 * {@code ring}) are not among them.
 */
public final class StageOptions {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([kKmMgG]?)");

    private final String stage;
    /** Key to value; a flag maps to the empty string and is in {@link #flags}. */
    private final Map<String, String> values;

    private final Set<String> flags;

    private StageOptions(String stage, Map<String, String> values, Set<String> flags) {
        this.stage = stage;
        this.values = values;
        this.flags = flags;
    }

    /**
     * Options for stage {@code stage}: {@code values} maps keys to values, a {@code null} value being a
     * flag.
     */
    public static StageOptions of(String stage, Map<String, String> values) {
        Objects.requireNonNull(stage, "stage");
        Map<String, String> v = new LinkedHashMap<>();
        java.util.HashSet<String> f = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            v.put(Objects.requireNonNull(e.getKey(), "key"), e.getValue() == null ? "" : e.getValue());
            if (e.getValue() == null) {
                f.add(e.getKey());
            }
        }
        return new StageOptions(stage, Collections.unmodifiableMap(v), Set.copyOf(f));
    }

    /** The stage these options belong to. */
    public String stage() {
        return stage;
    }

    /** The keys, in request order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Whether {@code key} was given (as a flag or with a value). */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * Refuses every key not in {@code known}.
     *
     * @throws IllegalArgumentException naming the first unknown option and the known ones
     */
    public void allowOnly(String... known) {
        List<String> k = List.of(known);
        for (String key : values.keySet()) {
            if (!k.contains(key)) {
                throw new BadOption(
                        key,
                        "unknown option '" + key + "' (stage '" + stage + "' takes "
                                + (k.isEmpty() ? "no options" : String.join(", ", k)) + ")");
            }
        }
    }

    /** The value of {@code key}, {@code ""} for a flag, or {@code null} if absent. */
    public String get(String key) {
        return values.get(key);
    }

    /** The value of {@code key}, or {@code fallback} if absent. A flag without a value is refused. */
    public String get(String key, String fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (flags.contains(key)) {
            throw new BadOption(key, "option '" + key + "' needs a value: " + key + "=...");
        }
        return v;
    }

    /**
     * The value of {@code key}.
     *
     * @throws IllegalArgumentException if it is absent or a flag
     */
    public String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new BadOption(null, "stage '" + stage + "' needs option " + key + "=...");
        }
        return v;
    }

    /**
     * Whether the flag {@code key} is set: given without a value, or with {@code true/yes/on/1}; false if
     * absent or {@code false/no/off/0}.
     */
    public boolean flag(String key) {
        String v = values.get(key);
        if (v == null) {
            return false;
        }
        if (flags.contains(key)) {
            return true;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new BadOption(key, "option '" + key + "' is a flag (true or false), was '" + v + "'");
        };
    }

    /** A whole number in {@code min..max}, or {@code fallback} if absent ({@code _} separators allowed). */
    public long integer(String key, long fallback, long min, long max) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadOption(key, "option '" + key + "' must be a whole number, was '" + v + "'");
        }
        return inRange(key, n, min, max, v);
    }

    /** A number in {@code min..max}, or {@code fallback} if absent. */
    public double decimal(String key, double fallback, double min, double max) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadOption(key, "option '" + key + "' must be a number, was '" + v + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new BadOption(
                    key, "option '" + key + "' must be between " + min + " and " + max + ", was '" + v + "'");
        }
        return d;
    }

    /** A size in bytes, {@code 4096}, {@code 64k}, {@code 4m}, {@code 1g}, in {@code min..max}, or {@code fallback}. */
    public long size(String key, long fallback, long min, long max) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new BadOption(key, "option '" + key + "' must be a size like 4096, 64k or 4m, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        n = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
        return inRange(key, n, min, max, v);
    }

    /** A duration, {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, in {@code min..max}, or {@code fallback}. */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new BadOption(
                    key, "option '" + key + "' must be a duration like 250ms, 5s, 2m or 1h, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new BadOption(
                    key,
                    "option '" + key + "' must be between " + text(min) + " and " + text(max) + ", was '" + v + "'");
        }
        return d;
    }

    /** One of {@code allowed} (case-insensitive, returned lower-case), or {@code fallback} if absent. */
    public String choice(String key, String fallback, String... allowed) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) {
                return a;
            }
        }
        throw new BadOption(
                key, "option '" + key + "' must be one of " + String.join(", ", allowed) + ", was '" + v + "'");
    }

    /**
     * The value of {@code key} as a regular expression ({@link Pattern} syntax), compiled.
     *
     * @throws IllegalArgumentException if it is absent, a flag, or not a regular expression (naming the
     *     option, what is wrong and where in the pattern)
     */
    public Pattern regex(String key) {
        String v = require(key);
        try {
            return Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw new BadOption(
                    key,
                    "option '" + key + "' is not a regular expression: " + e.getDescription()
                            + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + ", was '" + v + "'");
        }
    }

    private static long inRange(String key, long n, long min, long max, String raw) {
        if (n < min || n > max) {
            throw new BadOption(
                    key, "option '" + key + "' must be between " + min + " and " + max + ", was '" + raw + "'");
        }
        return n;
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(stage);
        for (Map.Entry<String, String> e : values.entrySet()) {
            s.append(',').append(e.getKey());
            if (!flags.contains(e.getKey())) {
                s.append('=').append(e.getValue());
            }
        }
        return s.toString();
    }

    /** A refused option; {@code key} (null: none in particular) places the caret. */
    static final class BadOption extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final transient String key;

        BadOption(String key, String message) {
            super(message);
            this.key = key;
        }
    }
}
