package dev.warren.demos;

import dev.warren.streaming.JobStats;
import dev.warren.streaming.ShardStats;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./hiveparser} shows, as text, from one second's numbers: the terminal dashboard, the
 * one-line summary (not a terminal), and the totals at the end. Pure functions of a {@link Frame}, so
 * they are tested without a job, a socket or a terminal; {@link TerminalScreen} puts the dashboard on
 * the screen.
 */
public final class HiveDashboard {
    /** Keys longer than this are cut, with "...", to keep the table's columns. */
    static final int KEY_WIDTH = 24;

    private HiveDashboard() {}

    /**
     * One second of the job, as the demo saw it.
     *
     * @param window the window, as people write it ({@code sliding 5s/1s})
     * @param eventTime whether the job runs on event time
     * @param seconds seconds since the start
     * @param now the job's statistics now
     * @param previous a second ago (for the rate)
     * @param kernelDrops datagrams the kernel dropped, or {@code n/a}
     * @param lastParseError the latest parse error, or empty
     * @param top the busiest keys, busiest first
     */
    public record Frame(
            String window,
            boolean eventTime,
            double seconds,
            JobStats now,
            JobStats previous,
            String kernelDrops,
            String lastParseError,
            List<WindowResult<String, Stats>> top) {}

    /** The terminal dashboard: bold headings (ANSI), the counters, the shard queues and the top keys. */
    public static String dashboard(Frame f) {
        JobStats st = f.now();
        StringBuilder s = new StringBuilder(2048);
        s.append(String.format(
                Locale.ROOT,
                "\033[1mhiveparser\033[0m  %s%s   up %.0fs%n%n",
                f.window(),
                f.eventTime() ? ", event time" : "",
                f.seconds()));
        s.append(String.format(
                Locale.ROOT,
                "  events/s %,12d    events %,14d    live keys %,10d    windows %,12d%n",
                st.eventsIn() - f.previous().eventsIn(),
                st.eventsIn(),
                st.liveKeys(),
                st.windowsEmitted()));
        s.append(String.format(
                Locale.ROOT,
                "  parse errors %,8d    late %,8d    future %,8d    dropped %,12d    kernel drops %s%n",
                st.parseErrors(),
                st.late(),
                st.future(),
                st.dropped(),
                f.kernelDrops()));
        if (!f.lastParseError().isEmpty()) {
            s.append("  last parse error: ").append(f.lastParseError()).append('\n');
        }
        s.append("  shard queues ").append(queues(st)).append("\n\n");
        s.append(String.format(
                Locale.ROOT,
                "  \033[1m%-24s %10s %10s %14s %12s %12s\033[0m%n",
                "top keys",
                "rate/s",
                "count",
                "sum",
                "min",
                "max"));
        for (WindowResult<String, Stats> r : f.top()) {
            Stats v = r.value();
            s.append(String.format(
                    Locale.ROOT,
                    "  %-24s %10.1f %10d %14.2f %12.2f %12.2f%n",
                    abbreviate(r.key()),
                    rate(r),
                    v.count(),
                    v.sum(),
                    v.min(),
                    v.max()));
        }
        s.append("\n  Ctrl-C: flush the final windows and print the totals\n");
        return s.toString();
    }

    /** The once-a-second line written when standard output is not a terminal. */
    public static String summaryLine(Frame f) {
        JobStats st = f.now();
        return String.format(
                Locale.ROOT,
                "t=%.0fs events=%d rate=%d/s keys=%d windows=%d parse_errors=%d late=%d future=%d dropped=%d"
                        + " kernel_drops=%s queues=%s",
                f.seconds(),
                st.eventsIn(),
                st.eventsIn() - f.previous().eventsIn(),
                st.liveKeys(),
                st.windowsEmitted(),
                st.parseErrors(),
                st.late(),
                st.future(),
                st.dropped(),
                f.kernelDrops(),
                queues(st));
    }

    /** The last line: what the job received and did over the whole run. */
    public static String totals(JobStats st, String kernelDrops, long datagrams) {
        return String.format(
                Locale.ROOT,
                "hiveparser totals: received=%d parse_errors=%d late=%d future=%d dropped=%d kernel_drops=%s"
                        + " windows=%d datagrams=%d",
                st.eventsIn(),
                st.parseErrors(),
                st.late(),
                st.future(),
                st.dropped(),
                kernelDrops,
                st.windowsEmitted(),
                datagrams);
    }

    /** The {@code n} keys with the highest rate in their latest window, busiest first. */
    public static List<WindowResult<String, Stats>> topKeys(Collection<WindowResult<String, Stats>> latest, int n) {
        List<WindowResult<String, Stats>> all = new ArrayList<>(latest);
        all.sort(Comparator.comparingDouble(HiveDashboard::rate).reversed());
        return all.size() > n ? List.copyOf(all.subList(0, n)) : all;
    }

    /** Events per second of a window: its count over its length. */
    public static double rate(WindowResult<String, Stats> r) {
        long ms = Math.max(1, r.end() - r.start());
        return r.value().count() * 1000.0 / ms;
    }

    /** {@code s}, cut to {@link #KEY_WIDTH} characters with "..." when longer. */
    static String abbreviate(String s) {
        return s.length() <= KEY_WIDTH ? s : s.substring(0, KEY_WIDTH - 3) + "...";
    }

    private static String queues(JobStats st) {
        StringBuilder q = new StringBuilder("[");
        for (ShardStats s : st.shards()) {
            if (q.length() > 1) {
                q.append(',');
            }
            q.append(s.queueDepth());
        }
        return q.append(']').toString();
    }
}
