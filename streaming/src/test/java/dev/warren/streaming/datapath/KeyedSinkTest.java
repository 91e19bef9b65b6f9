package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.datapath.stages.KeyedJobs;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A datapath ending in keyed windows: the keyed sink feeds a StreamJob. */
class KeyedSinkTest {
    @TempDir
    Path dir;

    @Test
    void linesOfAFileEndInPerKeyWindows() throws Exception {
        StringBuilder text = new StringBuilder();
        Map<String, Long> sent = new ConcurrentHashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = "k" + (i % 7);
            text.append(key).append(' ').append(i).append('\n');
            sent.merge(key, 1L, Long::sum);
        }
        text.append("not-a-number x\n");
        Path in = Files.writeString(dir.resolve("kv.txt"), text);
        Map<String, Long> counts = new ConcurrentHashMap<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("dp-keyed")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .sink(w -> counts.merge(w.key(), w.value(), Long::sum))
                .start();
        KeyedJobs.Registration registration = KeyedJobs.attach("kv", job);
        try (Datapath dp = Datapaths.insert("(file,path=\"" + in + "\",block=1k) > (lines) > (keyed,job=kv)")) {
            assertTrue(dp.awaitDone(Duration.ofSeconds(30)));
            Map<String, Object> st = dp.stats().get(2).state();
            assertEquals(3000L, st.get("emitted"), "parsed records");
            assertEquals(1L, st.get("parse_errors"));
        } finally {
            registration.close();
            job.close(); // drains the shards and emits every window
        }
        assertEquals(sent, counts, "every line reached its key's window");
    }

    @Test
    void aJobThatIsNotAttachedIsARequestError() {
        RequestException e =
                assertThrows(RequestException.class, () -> Datapaths.insert("(gen,count=1) > (keyed,job=nope)"));
        assertTrue(e.reason().startsWith("stage 'keyed': no StreamJob is attached as 'nope'"), e.reason());
    }
}
