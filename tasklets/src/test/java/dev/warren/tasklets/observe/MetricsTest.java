package dev.warren.tasklets.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void concurrentIncrementsAreExact(boolean virtual) throws Exception {
        MetricRegistry reg = new MetricRegistry();
        Counter c = reg.counter("hits_total", "hits");
        Summary h = reg.summary("lat", "latency");
        int threads = 16;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            Runnable body = () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < each; i++) {
                    c.increment();
                    h.record(seed * 1000L + i);
                }
                c.add(5);
            };
            ts.add(
                    virtual
                            ? Thread.ofVirtual().start(body)
                            : Thread.ofPlatform().start(body));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals((long) threads * each + threads * 5L, c.sum());
        assertEquals((long) threads * each, h.count());
        assertEquals(0, h.min());
        assertEquals(15_000L + each - 1, h.max());
    }

    @Test
    void counterRejectsNegativeAdd() {
        Counter c = new MetricRegistry().counter("c_total", "h");
        var e = assertThrows(IllegalArgumentException.class, () -> c.add(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void summaryPercentilesWithinStatedErrorOnRandomData() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            Summary h = new Summary("h", "h");
            int n = 1 + rnd.nextInt(5000);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                // log-uniform over 0 .. 2^(0..62): exercises exact and log buckets alike
                int bits = rnd.nextInt(63);
                values[i] = bits == 0 ? 0 : rnd.nextLong(1L << bits);
                h.record(values[i]);
            }
            Arrays.sort(values);
            Summary.Snapshot s = h.snapshot();
            assertEquals(n, s.count());
            assertEquals(values[0], s.min());
            assertEquals(values[n - 1], s.max());
            for (double p : new double[] {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 100}) {
                long rank = Math.max(1, (long) Math.ceil(p / 100 * n));
                long exact = values[(int) rank - 1];
                long got = s.percentile(p);
                double allowed = exact * Summary.MAX_RELATIVE_ERROR;
                assertTrue(
                        Math.abs(got - exact) <= allowed,
                        "p" + p + " of " + n + " values: exact " + exact + ", got " + got);
            }
        }
    }

    @Test
    void smallValuesAreExactAndMeanIsExact() {
        Summary h = new Summary("h", "h");
        for (long v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(50, h.percentile(50));
        assertEquals(99, h.percentile(99));
        assertEquals(100, h.percentile(100));
        assertEquals(50.5, h.mean());
    }

    @Test
    void bucketsTileTheLongRange() {
        long expectedLower = 0;
        for (int i = 0; Summary.index(Long.MAX_VALUE) >= i; i++) {
            assertEquals(expectedLower, Summary.lowerBound(i), "bucket " + i);
            assertEquals(i, Summary.index(Summary.lowerBound(i)));
            long upper = Summary.lowerBound(i) + Summary.width(i) - 1;
            assertEquals(i, Summary.index(upper));
            expectedLower = upper + 1;
        }
        assertEquals(Long.MIN_VALUE, expectedLower, "last bucket ends at Long.MAX_VALUE");
    }

    @Test
    void summaryRejectsNegativeValuesAndBadPercentiles() {
        Summary h = new Summary("rpc_nanos", "h");
        var e = assertThrows(IllegalArgumentException.class, () -> h.record(-7));
        assertTrue(e.getMessage().contains("rpc_nanos") && e.getMessage().contains("-7"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> h.percentile(101));
        assertTrue(e2.getMessage().contains("101"), e2.getMessage());
        assertEquals(0, h.percentile(50));
        assertTrue(Double.isNaN(h.mean()));
    }

    @Test
    void registryIsGetOrCreateAndRejectsTypeClashAndBadNames() {
        MetricRegistry reg = new MetricRegistry();
        Counter c = reg.counter("jobs_total", "jobs");
        assertSame(c, reg.counter("jobs_total", "other help"));
        var clash = assertThrows(IllegalArgumentException.class, () -> reg.summary("jobs_total", "h"));
        assertTrue(
                clash.getMessage().contains("jobs_total") && clash.getMessage().contains("counter"),
                clash.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> reg.counter("9-lives", "h"));
        assertTrue(bad.getMessage().contains("9-lives"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> reg.gauge("", "h", () -> 1));
        assertTrue(reg.remove("jobs_total"));
        assertTrue(reg.get("jobs_total").isEmpty());
        reg.summary("jobs_total", "now a summary");
    }

    @Test
    void gaugeReadsSupplierAtSnapshotTimeAndNewestOwnerWins() {
        MetricRegistry reg = new MetricRegistry();
        AtomicLong depth = new AtomicLong(3);
        Gauge g = reg.gauge("depth", "queue depth", depth::get);
        depth.set(9);
        assertEquals(9.0, g.value());
        assertSame(g, reg.doubleGauge("depth", "queue depth", () -> 1.5));
        assertEquals(1.5, g.value());
        reg.gauge("broken", "throws", () -> {
            throw new IllegalStateException("boom");
        });
        assertTrue(reg.prometheusText().contains("\nbroken NaN\n"));
    }

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{quantile=\"([0-9.]+)\"\\})? (NaN|[+-]Inf|-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?)");

    @Test
    void prometheusTextParsesBackLineByLine() {
        MetricRegistry reg = new MetricRegistry();
        reg.counter("req_total", "Requests.\nSecond line with \\ backslash").add(42);
        reg.gauge("conns", "Open connections", () -> 7);
        reg.doubleGauge("load", "Load", () -> 0.25);
        Summary h = reg.summary("lat_nanos", "Latency");
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1000L);
        }
        reg.summary("empty", "never recorded");

        Map<String, String> types = new HashMap<>();
        Map<String, String> samples = new HashMap<>();
        String text = reg.prometheusText();
        assertTrue(text.endsWith("\n"));
        String lastFamily = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ")) {
                lastFamily = line.substring(7).split(" ", 2)[0];
                assertTrue(!line.substring(7 + lastFamily.length() + 1).contains("\n"));
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", -1);
                assertEquals(2, parts.length, line);
                assertEquals(lastFamily, parts[0], "TYPE follows its HELP: " + line);
                assertTrue(List.of("counter", "gauge", "summary").contains(parts[1]), line);
                types.put(parts[0], parts[1]);
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: " + line);
                String family = m.group(1).replaceAll("_(sum|count)$", "");
                assertTrue(
                        types.containsKey(m.group(1)) || types.containsKey(family), "sample before its TYPE: " + line);
                samples.put(m.group(1) + (m.group(3) == null ? "" : "@" + m.group(3)), m.group(4));
            }
        }
        assertTrue(text.contains("# HELP req_total Requests.\\nSecond line with \\\\ backslash\n"), text);
        assertEquals("counter", types.get("req_total"));
        assertEquals("42", samples.get("req_total"));
        assertEquals("7", samples.get("conns"));
        assertEquals("0.25", samples.get("load"));
        assertEquals("summary", types.get("lat_nanos"));
        assertEquals(500_000, (double) Long.parseLong(samples.get("lat_nanos@0.5")), 500_000 / 128.0);
        assertEquals(990_000, (double) Long.parseLong(samples.get("lat_nanos@0.99")), 990_000 / 128.0);
        assertEquals("1000", samples.get("lat_nanos_count"));
        assertEquals(String.valueOf(500_500_000L), samples.get("lat_nanos_sum"));
        assertEquals("NaN", samples.get("empty@0.9"));
        assertEquals("0", samples.get("empty_count"));
    }
}
