package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.demos.HiveDashboard;
import dev.warren.streaming.JobStats;
import dev.warren.streaming.ShardStats;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hiveparser's screens, rendered from numbers alone. */
class HiveDashboardTest {
    private static JobStats stats(long events, long windows, int... queues) {
        List<ShardStats> shards = new java.util.ArrayList<>();
        for (int i = 0; i < queues.length; i++) {
            shards.add(new ShardStats(i, events / queues.length, 0, 3, queues[i], windows, 0));
        }
        return new JobStats("hiveparser", "processing", events, 0, 2, 1, 0, 5, -1, 7, windows, 0, shards, List.of());
    }

    private static WindowResult<String, Stats> window(String key, long count) {
        return new WindowResult<>(key, 0, 5000, new Stats(count, count * 2.0, 1, 3));
    }

    private static final HiveDashboard.Frame FRAME = new HiveDashboard.Frame(
            "sliding 5s/1s",
            false,
            12.4,
            stats(10_500, 40, 0, 17),
            stats(9_000, 35, 0, 0),
            "0",
            "no value: 'k1 x'",
            List.of(window("k1", 500), window("a-key-far-longer-than-the-column", 50)));

    @Test
    void theDashboardShowsCountersQueuesAndTheTopKeysInColumns() {
        String s = HiveDashboard.dashboard(FRAME);
        List<String> lines = s.lines().toList();
        assertEquals("\033[1mhiveparser\033[0m  sliding 5s/1s   up 12s", lines.get(0));
        assertEquals(
                "  events/s        1,500    events         10,500    live keys          7    windows           40",
                lines.get(2));
        assertEquals(
                "  parse errors        2    late        1    future        0    dropped            5    kernel drops 0",
                lines.get(3));
        assertEquals("  last parse error: no value: 'k1 x'", lines.get(4));
        assertEquals("  shard queues [0,17]", lines.get(5));
        assertTrue(lines.get(7).contains("top keys"), lines.get(7));
        assertEquals(
                "  k1                            100.0        500        1000.00         1.00         3.00",
                lines.get(8));
        assertTrue(
                lines.get(9).startsWith("  a-key-far-longer-than...       10.0"), "long keys are cut: " + lines.get(9));
        assertTrue(s.endsWith("  Ctrl-C: flush the final windows and print the totals\n"), s);
    }

    @Test
    void theSummaryLineAndTheTotalsAreOneLineEach() {
        assertEquals(
                "t=12s events=10500 rate=1500/s keys=7 windows=40 parse_errors=2 late=1 future=0 dropped=5"
                        + " kernel_drops=0 queues=[0,17]",
                HiveDashboard.summaryLine(FRAME));
        assertEquals(
                "hiveparser totals: received=10500 parse_errors=2 late=1 future=0 dropped=5 kernel_drops=n/a"
                        + " windows=40 datagrams=99",
                HiveDashboard.totals(FRAME.now(), "n/a", 99));
    }

    @Test
    void topKeysAreTheBusiestByRate() {
        List<WindowResult<String, Stats>> top = HiveDashboard.topKeys(
                List.of(
                        window("slow", 1),
                        window("fast", 90),
                        window("mid", 10),
                        new WindowResult<>("short-window", 0, 100, new Stats(5, 5, 1, 1))),
                2);
        assertEquals(
                List.of("short-window", "fast"),
                top.stream().map(WindowResult::key).toList());
        assertEquals(50.0, HiveDashboard.rate(top.get(0)));
    }
}
