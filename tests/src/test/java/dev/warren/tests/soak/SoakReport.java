package dev.warren.tests.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Judges a soak run and writes it out: {@code soak.csv} (one row per second), one SVG chart per series
 * (drawn here, no plotting tool needed), and {@code summary.md}.
 *
 * <p><b>Flat.</b> A series passes when its drift over the last two thirds of the run (the first third
 * is warm-up: JIT, heap sizing, connection pools) is within noise: the least-squares slope times the
 * window's length is at most {@code max(3 x the residuals' standard deviation, the series' absolute
 * tolerance, 5 % of its mean)}. A leak shows as a drift that outgrows the noise as the run gets longer.
 *
 * <p><b>Released.</b> After the load stops and every server and the job are closed, the live tasklets
 * and the open sockets are back to their numbers before the run, and the heap after a full GC is at
 * most 16 MB above the one at the start.
 */
public final class SoakReport {
    /** One second of the run. */
    public record Sample(
            double t,
            double heapAfterGcMb,
            double rssMb,
            int fds,
            int tasklets,
            int carriers,
            double p99Ms,
            long eventsPerSecond,
            long httpPerSecond,
            long framesPerSecond,
            long errors,
            long hostile) {}

    /** What was left after the close, against before the start. */
    public record Release(
            int taskletsBefore,
            int taskletsAfter,
            int socketsBefore,
            int socketsAfter,
            double heapBeforeMb,
            double heapAfterMb,
            long eventsIn,
            long udpDrops,
            long windows,
            List<String> socketsLeft) {
        boolean ok() {
            return taskletsAfter <= taskletsBefore && socketsAfter <= socketsBefore && heapAfterMb <= heapBeforeMb + 16;
        }
    }

    /** A judged series. */
    public record Series(String name, String unit, double drift, double noise, double allowed, double mean) {
        public boolean flat() {
            return Math.abs(drift) <= allowed;
        }
    }

    private record Def(String file, String name, String unit, double absTolerance, ToDoubleFunction<Sample> value) {}

    private static final List<Def> SERIES = List.of(
            new Def("heap", "heap after full GC", "MB", 8, Sample::heapAfterGcMb),
            new Def("rss", "resident set size", "MB", 32, Sample::rssMb),
            new Def("fds", "open file descriptors", "", 4, Sample::fds),
            new Def("tasklets", "live tasklets", "", 8, Sample::tasklets),
            new Def("carriers", "carrier threads", "", 1, Sample::carriers),
            new Def("p99", "HTTP latency p99", "ms", 2, Sample::p99Ms),
            new Def("events", "stream events per second", "/s", 0, Sample::eventsPerSecond),
            new Def("http", "HTTP requests per second", "/s", 0, Sample::httpPerSecond),
            new Def("frames", "frames per second", "/s", 0, Sample::framesPerSecond));

    private final Soak.Config config;
    private final List<Sample> samples;
    private final Release release;
    private final long errors;
    private final Map<String, String> errorSamples;
    private final Map<String, Long> hostile;
    private final List<Series> series = new ArrayList<>();

    SoakReport(
            Soak.Config config,
            List<Sample> samples,
            Release release,
            long errors,
            Map<String, String> errorSamples,
            Map<String, Long> hostile) {
        this.config = config;
        this.samples = List.copyOf(samples);
        this.release = release;
        this.errors = errors;
        this.errorSamples = errorSamples;
        this.hostile = hostile;
        for (Def d : SERIES) {
            series.add(judge(d));
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<Series> series() {
        return series;
    }

    public Release release() {
        return release;
    }

    public long errors() {
        return errors;
    }

    public Map<String, Long> hostile() {
        return hostile;
    }

    /** No error in the normal traffic, no hostile connection left unhandled, everything released. */
    public boolean trafficAndReleaseOk() {
        return errors == 0 && release.ok() && hostile.keySet().stream().noneMatch(k -> k.contains("NOT HANDLED"));
    }

    /** All of it, and every series flat. */
    public boolean passed() {
        return trafficAndReleaseOk() && series.stream().allMatch(Series::flat);
    }

    private int windowStart() {
        return samples.size() / 3;
    }

    private Series judge(Def d) {
        List<Sample> w = samples.subList(windowStart(), samples.size());
        int n = w.size();
        if (n < 3) {
            return new Series(d.name, d.unit, 0, 0, 0, 0);
        }
        double sx = 0, sy = 0;
        for (Sample s : w) {
            sx += s.t();
            sy += d.value.applyAsDouble(s);
        }
        double mx = sx / n, my = sy / n;
        double sxy = 0, sxx = 0;
        for (Sample s : w) {
            sxy += (s.t() - mx) * (d.value.applyAsDouble(s) - my);
            sxx += (s.t() - mx) * (s.t() - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        double ss = 0;
        for (Sample s : w) {
            double r = d.value.applyAsDouble(s) - (my + slope * (s.t() - mx));
            ss += r * r;
        }
        double noise = Math.sqrt(ss / Math.max(1, n - 2));
        double drift = slope * (w.get(n - 1).t() - w.get(0).t());
        double allowed = Math.max(3 * noise, Math.max(d.absTolerance, 0.05 * Math.abs(my)));
        return new Series(d.name, d.unit, drift, noise, allowed, my);
    }

    // ---- output ----

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder(
                "t_s,heap_after_gc_mb,rss_mb,open_fds,live_tasklets,carrier_threads,http_p99_ms,events_per_s,http_per_s,frames_per_s,errors,hostile\n");
        for (Sample s : samples) {
            csv.append(String.join(
                            ",",
                            Soak.fmt(s.t()),
                            Soak.fmt(s.heapAfterGcMb()),
                            Soak.fmt(s.rssMb()),
                            Integer.toString(s.fds()),
                            Integer.toString(s.tasklets()),
                            Integer.toString(s.carriers()),
                            Soak.fmt(s.p99Ms()),
                            Long.toString(s.eventsPerSecond()),
                            Long.toString(s.httpPerSecond()),
                            Long.toString(s.framesPerSecond()),
                            Long.toString(s.errors()),
                            Long.toString(s.hostile())))
                    .append('\n');
        }
        Files.writeString(dir.resolve("soak.csv"), csv, StandardCharsets.UTF_8);
        for (int i = 0; i < SERIES.size(); i++) {
            Files.writeString(
                    dir.resolve(SERIES.get(i).file + ".svg"),
                    svg(SERIES.get(i), series.get(i)),
                    StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("summary.md"), summary(), StandardCharsets.UTF_8);
    }

    /** The verdict, as markdown. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        double minutes = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).t() / 60;
        sb.append(String.format(
                Locale.ROOT,
                "# Soak run: %s\n\n%.1f minutes, %d samples (one per second), hostile connection every %s s; "
                        + "flatness judged over the last two thirds.\n\n",
                passed() ? "PASSED" : "FAILED",
                minutes,
                samples.size(),
                Soak.fmt(config.hostileEvery().toMillis() / 1000.0)));
        sb.append(
                "| series | mean | drift over the window | noise (σ) | allowed | flat |\n|---|---|---|---|---|---|\n");
        for (Series s : series) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s%s | %.2f | %+.2f | %.2f | %.2f | %s |\n",
                    s.name(),
                    s.unit().isEmpty() ? "" : " (" + s.unit() + ")",
                    s.mean(),
                    s.drift(),
                    s.noise(),
                    s.allowed(),
                    s.flat() ? "yes" : "**no**"));
        }
        long http = samples.stream().mapToLong(Sample::httpPerSecond).sum();
        long frames = samples.stream().mapToLong(Sample::framesPerSecond).sum();
        sb.append(String.format(
                Locale.ROOT,
                "\nTraffic: %,d HTTP requests, %,d frames, %,d stream events (%,d dropped by the kernel), %,d windows. "
                        + "Errors in the normal traffic: %d%s.\n",
                http,
                frames,
                release.eventsIn(),
                release.udpDrops(),
                release.windows(),
                errors,
                errorSamples.isEmpty() ? "" : " " + errorSamples));
        sb.append("\nHostile connections: ")
                .append(hostile.isEmpty() ? "none" : hostile)
                .append(".\n");
        sb.append(String.format(
                Locale.ROOT,
                "\nReleased after the close: live tasklets %d (before: %d), open sockets %d (before: %d), "
                        + "heap after a full GC %.1f MB (before: %.1f MB): %s.\n",
                release.taskletsAfter(),
                release.taskletsBefore(),
                release.socketsAfter(),
                release.socketsBefore(),
                release.heapAfterMb(),
                release.heapBeforeMb(),
                release.ok() ? "ok" : "**NOT released**"));
        if (!release.ok() && !release.socketsLeft().isEmpty()) {
            sb.append("\nSockets open at the end: ")
                    .append(release.socketsLeft())
                    .append(".\n");
        }
        return sb.toString();
    }

    private String svg(Def d, Series judged) {
        int w = 640, h = 260, left = 64, right = 16, top = 34, bottom = 36;
        double tMax = samples.isEmpty()
                ? 1
                : Math.max(1, samples.get(samples.size() - 1).t());
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (Sample s : samples) {
            double v = d.value.applyAsDouble(s);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (samples.isEmpty()) {
            lo = 0;
            hi = 1;
        }
        lo = Math.min(lo, 0);
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        hi += (hi - lo) * 0.08;
        double x0 = left, x1 = w - right, y0 = h - bottom, y1 = top;
        double fLo = lo, fHi = hi;
        java.util.function.DoubleUnaryOperator px = t -> x0 + (x1 - x0) * t / tMax;
        java.util.function.DoubleUnaryOperator py = v -> y0 - (y0 - y1) * (v - fLo) / (fHi - fLo);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">\n",
                w,
                h,
                w,
                h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        if (!samples.isEmpty()) {
            double warm = samples.get(windowStart()).t();
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f2f2f2\"/>\n",
                    x0,
                    y1,
                    px.applyAsDouble(warm) - x0,
                    y0 - y1));
        }
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = py.applyAsDouble(v);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    x0,
                    y,
                    x1,
                    y,
                    x0 - 4,
                    y + 4,
                    label(v)));
            double t = tMax * i / 4;
            double x = px.applyAsDouble(t);
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                    x,
                    y0 + 16,
                    t >= 120
                            ? String.format(Locale.ROOT, "%.0f min", t / 60)
                            : String.format(Locale.ROOT, "%.0f s", t)));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                        + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                x0,
                y0,
                x1,
                y0,
                x0,
                y0,
                x0,
                y1));
        sb.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\" points=\"");
        for (Sample s : samples) {
            sb.append(String.format(
                    Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(s.t()), py.applyAsDouble(d.value.applyAsDouble(s))));
        }
        sb.append("\"/>\n");
        if (samples.size() >= 3) {
            // the fitted line over the judged window
            double ta = samples.get(windowStart()).t(),
                    tb = samples.get(samples.size() - 1).t();
            double va = judged.mean() - judged.drift() / 2, vb = judged.mean() + judged.drift() / 2;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                            + "stroke-dasharray=\"6 3\"/>\n",
                    px.applyAsDouble(ta),
                    py.applyAsDouble(va),
                    px.applyAsDouble(tb),
                    py.applyAsDouble(vb),
                    judged.flat() ? "#2ca02c" : "#d62728"));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s%s</text>\n"
                        + "<text x=\"%d\" y=\"29\" fill=\"%s\">%s: drift %s over the last two thirds, noise σ %s, "
                        + "allowed %s (grey: warm-up, not judged)</text>\n",
                left,
                escape(d.name),
                d.unit.isEmpty() ? "" : " (" + escape(d.unit) + ")",
                left,
                judged.flat() ? "#2ca02c" : "#d62728",
                judged.flat() ? "flat" : "NOT FLAT",
                label(judged.drift()),
                label(judged.noise()),
                label(judged.allowed())));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String label(double v) {
        double a = Math.abs(v);
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1000);
        }
        if (a >= 100 || a == Math.rint(a)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
