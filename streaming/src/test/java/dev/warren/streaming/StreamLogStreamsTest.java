package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stream job writes its parse errors to {@code stream.parse} and its late events to {@code stream.late}. */
class StreamLogStreamsTest {
    record Ev(String key, long ts) {}

    @Test
    void parseErrorsGoToStreamParse() throws Exception {
        LogStreams.STREAM_PARSE.enabled(true);
        try {
            long before = LogStreams.STREAM_PARSE.lines();
            StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("logparse")
                    .parse(KeyValue::parse)
                    .keyBy(KeyValue::key)
                    .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.stats(KeyValue::value))
                    .sink(r -> {})
                    .start();
            try (job) {
                job.emit("k not-a-number");
            }
            assertEquals(before + 1, LogStreams.STREAM_PARSE.lines());
            assertTrue(
                    texts(LogStreams.STREAM_PARSE).stream()
                            .anyMatch(l -> l.contains("job 'logparse'") && l.contains("k not-a-number")),
                    texts(LogStreams.STREAM_PARSE).toString());
        } finally {
            LogStreams.STREAM_PARSE.enabled(false);
        }
    }

    @Test
    void lateEventsGoToStreamLate() throws Exception {
        LogStreams.STREAM_LATE.enabled(true);
        try {
            long before = LogStreams.STREAM_LATE.lines();
            StreamJob<Ev> job = StreamJob.<Ev>builder("loglate")
                    .keyBy(Ev::key)
                    .shards(1)
                    .eventTime(Ev::ts, Duration.ZERO)
                    .window(Windows.tumbling(Duration.ofMillis(10)), Aggregators.stats((Ev e) -> 1))
                    .sink(r -> {})
                    .start();
            try (job) {
                Emitter<Ev> em = job.eventEmitter("test", Backpressure.BLOCK);
                em.emit(new Ev("a", 1_000));
                em.emit(new Ev("a", 5)); // its window [0, 10) closed when event time reached 1000
            }
            assertEquals(1, job.stats().late());
            assertEquals(before + 1, LogStreams.STREAM_LATE.lines());
            assertTrue(
                    texts(LogStreams.STREAM_LATE).stream()
                            .anyMatch(l -> l.contains("job 'loglate'") && l.contains("at 5")),
                    texts(LogStreams.STREAM_LATE).toString());
        } finally {
            LogStreams.STREAM_LATE.enabled(false);
        }
    }

    @Test
    void eachShardBeatsAHeartbeatWhileTheJobRuns() throws Exception {
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("beats")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.stats(KeyValue::value))
                .sink(r -> {})
                .start();
        try (job) {
            job.emit("a 1");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> heartbeats().containsAll(List.of("job beats shard 0", "job beats shard 1")));
        }
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> heartbeats().stream().noneMatch(n -> n.startsWith("job beats shard")));
    }

    @SuppressWarnings("unchecked")
    private static List<String> heartbeats() {
        return ((List<java.util.Map<String, Object>>)
                        dev.warren.tasklets.Watchdog.report().get("heartbeats"))
                .stream().map(m -> (String) m.get("name")).toList();
    }

    private static List<String> texts(LogStream s) {
        return s.read(-1, -1).stream().map(LogStream.Line::text).toList();
    }
}
