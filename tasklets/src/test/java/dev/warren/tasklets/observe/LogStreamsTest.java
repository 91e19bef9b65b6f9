package dev.warren.tasklets.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.LogCapture;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LogStreamsTest {

    @Test
    void warrensStreamsExistWithTheirDefaults() {
        List<String> names = LogStreams.all().stream().map(LogStream::name).toList();
        assertTrue(
                names.containsAll(
                        List.of("http.access", "net.close", "stream.late", "stream.parse", "jobq", "watchdog")),
                names.toString());
        assertFalse(LogStreams.HTTP_ACCESS.enabled());
        assertTrue(LogStreams.WATCHDOG.enabled());
        assertTrue(LogStreams.JOBQ.keepsMemory());
    }

    @Test
    void aDisabledStreamNeitherFormatsNorCounts() {
        LogStream s = LogStreams.builder("test.off").memory(10, 1000).declare();
        AtomicInteger built = new AtomicInteger();
        Object arg = new Object() {
            @Override
            public String toString() {
                built.incrementAndGet();
                return "x";
            }
        };
        s.log("a {}", arg);
        s.log("a {} {}", arg, arg);
        s.log("a {} {} {}", arg, arg, arg);
        s.log(() -> "built " + built.incrementAndGet());
        assertEquals(0, built.get(), "nothing formatted while off");
        assertEquals(0, s.lines());
        assertEquals(List.of(), s.read(-1, -1));
    }

    @Test
    void anEnabledStreamCountsKeepsAndForwardsToSlf4jUnderItsName() {
        LogStream s = LogStreams.builder("test.on")
                .enabled(true)
                .level(org.slf4j.event.Level.WARN) // the tests' backend prints WARN and above
                .memory(3, 1000)
                .declare();
        try (LogCapture log = LogCapture.start()) {
            s.log("first {}", 1);
            s.log("second {} {}", 2, "b");
            s.log(() -> "third");
            s.log("fourth");
            assertTrue(
                    log.lines().stream().anyMatch(l -> l.contains("test.on") && l.contains("second 2 b")), log.text());
        }
        assertEquals(4, s.lines());
        List<LogStream.Line> kept = s.read(-1, -1);
        assertEquals(
                List.of("second 2 b", "third", "fourth"),
                kept.stream().map(LogStream.Line::text).toList());
        assertEquals(
                List.of(2L, 3L, 4L), kept.stream().map(LogStream.Line::index).toList(), "indexes keep counting");
    }

    @Test
    void readsAsLibmtevsMemoryLogEndpoint() {
        LogStream s = LogStreams.builder("test.read")
                .enabled(true)
                .memory(100, 10_000)
                .declare();
        for (int i = 1; i <= 10; i++) {
            s.log("line " + i);
        }
        assertEquals(List.of(9L, 10L), indexes(s.read(2, -1)), "last=2");
        assertEquals(List.of(8L, 9L, 10L), indexes(s.read(-1, 7)), "since=7");
        assertEquals(List.of(9L, 10L), indexes(s.read(2, 5)), "since=5&last=2: the most recent two after 5");
        assertEquals(List.of(), s.read(-1, 10), "nothing after the newest");
        assertEquals(List.of(), s.read(0, -1), "last=0");
    }

    @Test
    void theRingIsBoundedByCharactersToo() {
        LogStream s =
                LogStreams.builder("test.chars").enabled(true).memory(100, 10).declare();
        s.log("12345");
        s.log("67890");
        s.log("abc");
        assertEquals(
                List.of("67890", "abc"),
                s.read(-1, -1).stream().map(LogStream.Line::text).toList());
        s.log("a line longer than the whole ring");
        assertEquals(
                List.of("a line lon"),
                s.read(-1, -1).stream().map(LogStream.Line::text).toList());
    }

    @Test
    void switchingIsOneCallAndUnknownNamesAreNamed() {
        LogStream s = LogStreams.declare("test.switch");
        assertSame(s, LogStreams.enable("test.switch", true));
        assertTrue(s.enabled());
        LogStreams.enable("test.switch", false);
        assertFalse(s.enabled());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LogStreams.enable("no.such.stream", true));
        assertTrue(
                e.getMessage().contains("'no.such.stream'") && e.getMessage().contains("http.access"), e.getMessage());
    }

    @Test
    void declaringTwiceGivesTheFirstStreamAndBadOptionsAreNamed() {
        LogStream first = LogStreams.builder("test.twice").enabled(true).declare();
        assertSame(first, LogStreams.builder("test.twice").enabled(false).declare());
        assertTrue(first.enabled());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogStreams.declare("has space"))
                .getMessage()
                .contains("'has space'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogStreams.declare(""))
                .getMessage()
                .contains("''"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> LogStreams.builder("x").memory(0, 10))
                .getMessage()
                .contains("was 0"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> LogStreams.builder("x").memory(10, -1))
                .getMessage()
                .contains("was -1"));
    }

    @Test
    void aThrowableArgumentFillsItsPlaceholder() {
        LogStream s = LogStreams.builder("test.throwable")
                .enabled(true)
                .memory(10, 1000)
                .declare();
        s.log("failed: {}", new IllegalStateException("one"));
        s.log("{} failed: {}", "job", new IllegalStateException("two"));
        assertEquals(
                List.of(
                        "failed: java.lang.IllegalStateException: one",
                        "job failed: java.lang.IllegalStateException: two"),
                s.read(-1, -1).stream().map(LogStream.Line::text).toList());
    }

    @Test
    void lineCountsAreMetrics() {
        LogStream s = LogStreams.builder("test.metric").enabled(true).declare();
        s.log("one");
        s.log("two");
        String text = MetricRegistry.global().prometheusText();
        assertTrue(text.contains("warren_log_lines_total{stream=\"test.metric\"} 2"), text);
        assertTrue(text.contains("warren_log_stream_enabled{stream=\"watchdog\"} 1"), text);
    }

    private static List<Long> indexes(List<LogStream.Line> lines) {
        return lines.stream().map(LogStream.Line::index).toList();
    }
}
