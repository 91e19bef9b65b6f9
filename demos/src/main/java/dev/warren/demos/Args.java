package dev.warren.demos;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command-line conventions every demo shares: values that name the option and the bad value in their
 * error ({@code --retries must be between 0 and 1000, was -1}), durations written as people write them
 * ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}), and {@code --help} / {@code --version}, which print
 * to standard output and end the demo with status 0. A bad argument is an {@link IllegalArgumentException}
 * whose message is the whole explanation; the demo prints it and its usage to standard error and exits 2.
 */
final class Args {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Args() {}

    /** Thrown for {@code --help} and {@code --version}: the text to print on standard output, status 0. */
    static final class Exit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient String text;

        Exit(String text) {
            super(null, null, false, false);
            this.text = text;
        }
    }

    /**
     * Handles the two options every demo has: {@code -h}/{@code --help} ({@code usage}) and
     * {@code --version}.
     *
     * @throws Exit if {@code arg} is one of them
     */
    static void standard(String demo, String arg, String usage) {
        switch (arg) {
            case "-h", "--help" -> throw new Exit(usage);
            case "--version" -> throw new Exit(demo + " " + version());
            default -> {}
        }
    }

    /** The Warren version and build commit, as the {@code capa} report gives them. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in =
                Args.class.getClassLoader().getResourceAsStream("dev/warren/net/admin/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build information
        }
        return "(Warren " + p.getProperty("version", "unknown") + ", commit " + p.getProperty("commit", "unknown")
                + "; JDK " + Runtime.version() + ")";
    }

    /** The value after option {@code args[i]}. */
    static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    /** A whole number in {@code [min, max]}; underscores allowed ({@code 1_000_000}). */
    static long number(String name, String raw, long min, long max) {
        long v;
        try {
            v = Long.parseLong(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + raw + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    /** A duration of 1 ms to 24 h written as {@code 500ms}, {@code 5s}, {@code 2m} or {@code 1h}. */
    static Duration duration(String name, String raw) {
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    name + " must be a duration like 500ms, 5s, 2m or 1h, was '" + raw + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is too large: '" + raw + "'");
        }
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be between 1ms and 24h, was '" + raw + "'");
        }
        return d;
    }

    /** A duration printed the way {@link #duration} reads it. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
