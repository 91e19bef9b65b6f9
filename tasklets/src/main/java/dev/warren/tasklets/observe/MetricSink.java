package dev.warren.tasklets.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a {@link MetricCollector} writes its samples during one scrape. Samples are grouped into
 * families by name (one {@code # HELP} and {@code # TYPE} each, whichever collector wrote them), so
 * several servers can write the same family with different labels.
 *
 * <p>Rules, checked on every call (an {@link IllegalArgumentException} names the bad value): names are
 * valid Prometheus metric names; counters end in {@code _total}; a family keeps one type (the first
 * help text wins); histograms take no {@code le} label and summaries no {@code quantile}. A series
 * written twice in one scrape (same name and labels) keeps its first value: Prometheus refuses a whole
 * scrape with a duplicate, so the later one is dropped and reported by {@link #duplicates()}.
 *
 * <p><b>Threading.</b> One sink serves one scrape on one thread; it is not thread-safe.
 */
public final class MetricSink {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final TreeMap<String, Family> families = new TreeMap<>();
    private final List<String> duplicates = new ArrayList<>();

    MetricSink() {}

    /** A counter sample; {@code name} ends in {@code _total}, {@code value >= 0}. */
    public void counter(String name, String help, double value, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter names end in _total, was \"" + name + "\"");
        }
        if (!(value >= 0)) {
            throw new IllegalArgumentException("counter " + name + " must be >= 0, was " + value);
        }
        add(name, help, "counter", Labels.of(labels), value);
    }

    /** A counter sample with a whole-number value (a count); {@code name} ends in {@code _total}. */
    public void counter(String name, String help, long value, String... labels) {
        counter(name, help, (double) value, labels);
    }

    /** A gauge sample with a whole-number value. */
    public void gauge(String name, String help, long value, String... labels) {
        gauge(name, help, (double) value, labels);
    }

    /** A gauge sample. */
    public void gauge(String name, String help, double value, String... labels) {
        add(name, help, "gauge", Labels.of(labels), value);
    }

    /** A histogram's buckets, sum and count, from its cumulative {@link Histogram#snapshot()}. */
    public void histogram(String name, String help, Histogram histogram, String... labels) {
        histogram(name, help, histogram, Labels.of(labels));
    }

    void histogram(String name, String help, Histogram histogram, Labels labels) {
        if (labels.has("le")) {
            throw new IllegalArgumentException("histogram " + name + " cannot have a label named le");
        }
        add(name, help, "histogram", labels, new HistogramSample(histogram.snapshot(), histogram));
    }

    /** A summary's quantiles 0.5, 0.9, 0.99, sum and count. */
    public void summary(String name, String help, Summary summary, String... labels) {
        summary(name, help, summary, Labels.of(labels));
    }

    void summary(String name, String help, Summary summary, Labels labels) {
        if (labels.has("quantile")) {
            throw new IllegalArgumentException("summary " + name + " cannot have a label named quantile");
        }
        add(name, help, "summary", labels, summary.snapshot());
    }

    void add(String name, String help, String type, Labels labels, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Family f = families.get(name);
        if (f == null) {
            checkName(name);
            f = new Family(name, help, type);
            families.put(name, f);
        } else if (!f.type.equals(type)) {
            throw new IllegalArgumentException(
                    "metric \"" + name + "\" is already a " + f.type + ", cannot also be a " + type);
        }
        if (!f.seen.add(labels)) {
            duplicates.add(name + labels);
            return;
        }
        f.samples.add(new Sample(labels, value));
    }

    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "not a valid Prometheus metric name (want [a-zA-Z_:][a-zA-Z0-9_:]*): \"" + name + "\"");
        }
    }

    /** The series dropped because they were written twice in this scrape. */
    public List<String> duplicates() {
        return List.copyOf(duplicates);
    }

    Collection<Family> families() {
        return families.values();
    }

    // ------------------------------------------------------------------ rendering

    /** Appends every family in the text exposition format 0.0.4, sorted by name. */
    void writeText(StringBuilder out) {
        for (Family f : families.values()) {
            out.append("# HELP ").append(f.name).append(' ');
            escapeHelp(f.help, out);
            out.append("\n# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (Sample s : f.samples) {
                switch (s.value) {
                    case Double d -> {
                        out.append(f.name);
                        s.labels.append(out);
                        out.append(' ');
                        number(d, out);
                        out.append('\n');
                    }
                    case HistogramSample hs -> {
                        Histogram.Snapshot h = hs.cumulative;
                        long cumulative = 0;
                        for (int i = 0; i < h.bucketCount(); i++) {
                            cumulative += h.bucketCount(i);
                            out.append(f.name).append("_bucket");
                            s.labels.appendWith("le", bound(h.upperBound(i)), out);
                            out.append(' ').append(cumulative).append('\n');
                        }
                        out.append(f.name).append("_sum");
                        s.labels.append(out);
                        out.append(' ');
                        number(h.sum(), out);
                        out.append('\n').append(f.name).append("_count");
                        s.labels.append(out);
                        out.append(' ').append(cumulative).append('\n');
                    }
                    case Summary.Snapshot ss -> {
                        for (double q : new double[] {0.5, 0.9, 0.99}) {
                            out.append(f.name);
                            s.labels.appendWith("quantile", Double.toString(q), out);
                            out.append(' ');
                            if (ss.count() == 0) {
                                out.append("NaN");
                            } else {
                                out.append(ss.percentile(q * 100));
                            }
                            out.append('\n');
                        }
                        out.append(f.name).append("_sum");
                        s.labels.append(out);
                        out.append(' ').append(ss.sum()).append('\n');
                        out.append(f.name).append("_count");
                        s.labels.append(out);
                        out.append(' ').append(ss.count()).append('\n');
                    }
                    default -> throw new IllegalStateException("unexpected sample " + s.value);
                }
            }
        }
    }

    /**
     * The families as a JSON-ready list: {@code [{"name","type","help","samples":[{"labels":{..},"value":..}]}]};
     * a histogram's sample has {@code count}, {@code sum}, {@code buckets} ([[le, cumulative], ...], the
     * last le null for +Inf) and {@code recent} (the last {@code recentSeconds} seconds: count, p50,
     * p90, p99).
     */
    List<Object> toTree(int recentSeconds) {
        List<Object> out = new ArrayList<>();
        for (Family f : families.values()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name);
            fm.put("type", f.type);
            fm.put("help", f.help);
            List<Object> samples = new ArrayList<>();
            for (Sample s : f.samples) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("labels", s.labels.toTree());
                switch (s.value) {
                    case Double d -> sm.put("value", d);
                    case HistogramSample hs -> {
                        Histogram.Snapshot h = hs.cumulative;
                        sm.put("count", h.count());
                        sm.put("sum", h.sum());
                        List<Object> b = new ArrayList<>();
                        for (int i = 0; i < h.bucketCount(); i++) {
                            double le = h.upperBound(i);
                            b.add(java.util.Arrays.asList(Double.isInfinite(le) ? null : le, h.cumulative(i)));
                        }
                        sm.put("buckets", b);
                        Map<String, Object> recent =
                                hs.histogram.recent(recentSeconds).toTree();
                        recent.remove("sum");
                        recent.put("seconds", recentSeconds);
                        sm.put("recent", recent);
                    }
                    case Summary.Snapshot ss -> sm.putAll(ss.toTree());
                    default -> throw new IllegalStateException("unexpected sample " + s.value);
                }
                samples.add(sm);
            }
            fm.put("samples", samples);
            out.add(fm);
        }
        return out;
    }

    /** An {@code le} value: plain decimal ("0.005", "1", "+Inf"), the same text for the same bound everywhere. */
    static String bound(double b) {
        if (Double.isInfinite(b)) {
            return "+Inf";
        }
        return new java.math.BigDecimal(Double.toString(b)).stripTrailingZeros().toPlainString();
    }

    private static void escapeHelp(String help, StringBuilder out) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    static void number(double d, StringBuilder out) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "+Inf" : "-Inf");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    static final class Family {
        final String name;
        final String help;
        final String type;
        final List<Sample> samples = new ArrayList<>();
        final Set<Labels> seen = new HashSet<>();

        Family(String name, String help, String type) {
            this.name = name;
            this.help = help;
            this.type = type;
        }
    }

    record Sample(Labels labels, Object value) {}

    record HistogramSample(Histogram.Snapshot cumulative, Histogram histogram) {}
}
