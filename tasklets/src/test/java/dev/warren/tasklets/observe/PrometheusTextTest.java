package dev.warren.tasklets.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void histogramIsExposedAsCumulativeBucketsWithSumAndCountInBaseUnits() {
        MetricRegistry reg = new MetricRegistry();
        Histogram h = reg.histogram(
                "rpc_duration_seconds",
                "RPC time",
                Histogram.Buckets.nanosAsSeconds(0.00005, 0.001, 0.25),
                "server",
                "api");
        h.record(50_000); // exactly on the first bound: le is "less or equal"
        h.record(50_001);
        h.record(1_000_000);
        h.record(300_000_000);
        String text = reg.prometheusText();
        String expected = """
                # HELP rpc_duration_seconds RPC time
                # TYPE rpc_duration_seconds histogram
                rpc_duration_seconds_bucket{server="api",le="0.00005"} 1
                rpc_duration_seconds_bucket{server="api",le="0.001"} 3
                rpc_duration_seconds_bucket{server="api",le="0.25"} 3
                rpc_duration_seconds_bucket{server="api",le="+Inf"} 4
                rpc_duration_seconds_sum{server="api"} 0.301100001
                rpc_duration_seconds_count{server="api"} 4
                """;
        assertEquals(expected, text);
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        MetricRegistry reg = new MetricRegistry();
        reg.counter("odd_total", "Help with \\ and\nnewline", "path", "a\\b\"c\nd")
                .add(3);
        assertEquals("""
                # HELP odd_total Help with \\\\ and\\nnewline
                # TYPE odd_total counter
                odd_total{path="a\\\\b\\"c\\nd"} 3
                """, reg.prometheusText());
    }

    @Test
    void collectorsShareFamiliesAndDuplicatesAndFailuresDoNotBreakTheScrape() {
        MetricRegistry reg = new MetricRegistry();
        reg.register(out -> out.counter("x_requests_total", "Requests", 5, "server", "a"));
        reg.register(out -> out.counter("x_requests_total", "Requests (other help loses)", 7, "server", "b"));
        reg.register(out -> out.counter("x_requests_total", "Requests", 9, "server", "a")); // duplicate
        reg.register(out -> {
            throw new IllegalStateException("broken collector");
        });
        MetricRegistry.Registration gone = reg.register(out -> out.gauge("x_gone", "gone", 1));
        gone.close();
        String text = reg.prometheusText();
        assertEquals("""
                # HELP x_requests_total Requests
                # TYPE x_requests_total counter
                x_requests_total{server="a"} 5
                x_requests_total{server="b"} 7
                """, text);
        assertEquals(List.of("x_requests_total{server=\"a\"}"), reg.collect().duplicates());
    }

    @Test
    void badNamesTypesAndLabelsAreRefusedNamingTheValue() {
        MetricRegistry reg = new MetricRegistry();
        var e1 = assertThrows(IllegalArgumentException.class, () -> reg.counter("requests", "no suffix"));
        assertTrue(e1.getMessage().contains("\"requests\""), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> reg.counter("a_total", "h", "9bad", "v"));
        assertTrue(e2.getMessage().contains("9bad"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> reg.counter("a_total", "h", "odd"));
        assertTrue(e3.getMessage().contains("pairs"), e3.getMessage());
        var e4 = assertThrows(
                IllegalArgumentException.class,
                () -> reg.histogram("h_seconds", "h", Histogram.Buckets.LATENCY, "le", "1"));
        assertTrue(e4.getMessage().contains("le"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> Histogram.Buckets.of(1, 0.5));
        assertTrue(e5.getMessage().contains("0.5"), e5.getMessage());
        var e6 = assertThrows(IllegalArgumentException.class, () -> Histogram.Buckets.of(1, Double.NaN));
        assertTrue(e6.getMessage().contains("NaN"), e6.getMessage());
        reg.counter("b_total", "h");
        MetricSink sink = reg.collect();
        var e7 = assertThrows(IllegalArgumentException.class, () -> sink.gauge("b_total", "h", 1));
        assertTrue(e7.getMessage().contains("b_total") && e7.getMessage().contains("counter"), e7.getMessage());
        var e8 = assertThrows(IllegalArgumentException.class, () -> sink.counter("c_total", "h", -1));
        assertTrue(e8.getMessage().contains("-1"), e8.getMessage());
        var e9 = assertThrows(
                IllegalArgumentException.class, () -> new Histogram("h", "h", Histogram.Buckets.LATENCY).recent(0));
        assertTrue(e9.getMessage().contains("was 0"), e9.getMessage());
    }

    @Test
    void quantilesInterpolateLikeHistogramQuantile() {
        Histogram h = new Histogram("h", "h", Histogram.Buckets.of(10, 20, 40));
        for (int i = 0; i < 10; i++) {
            h.record(5); // bucket le=10
        }
        for (int i = 0; i < 10; i++) {
            h.record(15); // bucket le=20
        }
        Histogram.Snapshot s = h.snapshot();
        assertEquals(10.0, s.quantile(0.5), 1e-9);
        assertEquals(15.0, s.quantile(0.75), 1e-9);
        assertEquals(19.8, s.quantile(0.99), 1e-9);
        h.record(1000); // +Inf: the highest finite bound
        assertEquals(40.0, h.snapshot().quantile(1.0), 1e-9);
        assertTrue(Double.isNaN(
                new Histogram("e", "e", Histogram.Buckets.of(1)).snapshot().quantile(0.5)));
    }

    @Test
    void recentViewHoldsOnlyTheLastSeconds() {
        Histogram h = new Histogram("h", "h", Histogram.Buckets.of(10, 100));
        long now = System.nanoTime();
        h.record(50, now - TimeUnit.SECONDS.toNanos(30)); // long ago: cumulative only
        h.record(5, now - TimeUnit.SECONDS.toNanos(3));
        h.record(7, now);
        assertEquals(3, h.snapshot().count());
        Histogram.Snapshot recent = h.recent(10);
        assertEquals(2, recent.count());
        assertEquals(2, recent.bucketCount(0));
        assertEquals(0, recent.bucketCount(1));
        assertEquals(3, h.recent(60).count());
    }

    @Test
    void concurrentRecordingIsExactInTheCumulativeView() throws Exception {
        Histogram h = new Histogram("h", "h", Histogram.Buckets.LATENCY);
        int threads = 8;
        int each = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < each; i++) {
                    h.record(i % 2 == 0 ? 40_000 : 2_000_000_000L);
                }
            }));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        Histogram.Snapshot s = h.snapshot();
        assertEquals((long) threads * each, s.count());
        assertEquals((long) threads * each / 2, s.bucketCount(0));
        assertEquals(threads * (each / 2) * (0.00004 + 2.0), s.sum(), 1e-6);
    }

    @Test
    void jsonViewCarriesBucketsAndTheRecentView() {
        MetricRegistry reg = new MetricRegistry();
        Histogram h = reg.histogram("t_seconds", "t", Histogram.Buckets.nanosAsSeconds(0.001, 0.01));
        h.record(500_000);
        h.record(5_000_000);
        String json = Json.write(reg.toTree());
        assertTrue(
                json.startsWith(
                        "[{\"name\":\"t_seconds\",\"type\":\"histogram\",\"help\":\"t\",\"samples\":[{\"labels\":{},"
                                + "\"count\":2,"),
                json);
        assertTrue(json.contains("\"buckets\":[[0.001,1],[0.01,2],[null,2]]"), json);
        assertTrue(json.contains("\"recent\":{\"count\":2,"), json);
        Map<?, ?> fam = (Map<?, ?>) reg.toTree().get(0);
        assertEquals("histogram", fam.get("type"));
    }
}
