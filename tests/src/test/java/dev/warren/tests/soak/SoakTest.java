package dev.warren.tests.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short soak (10 s, a hostile connection every second) so that the soak harness cannot rot between
 * the long runs of {@code make soak}: the normal traffic has no error, every kind of hostile connection
 * was made and handled, everything is released at the end, and the CSV, the charts and the summary are
 * written. Flatness needs a long run and is judged there, not here.
 */
class SoakTest {

    @Test
    void shortSoakHasNoErrorsHandlesHostileConnectionsAndReleasesEverything(@TempDir Path dir) throws Exception {
        SoakReport r = Soak.run(new Soak.Config(Duration.ofSeconds(10), Duration.ofSeconds(1), dir));
        assertEquals(0, r.errors(), r.summary());
        assertTrue(r.release().ok(), r.summary());
        assertTrue(r.trafficAndReleaseOk(), r.summary());
        for (String kind : new String[] {"slowloris", "garbage frames", "reset mid-response", "garbage http"}) {
            assertTrue(r.hostile().getOrDefault(kind, 0L) > 0, kind + " not made and handled: " + r.summary());
        }
        assertTrue(r.samples().size() >= 9, "samples: " + r.samples().size());
        assertTrue(r.samples().stream().allMatch(s -> s.httpPerSecond() > 0 || s.t() < 2), r.summary());
        assertTrue(Files.readAllLines(dir.resolve("soak.csv")).size()
                == r.samples().size() + 1);
        for (String chart : new String[] {"heap", "rss", "fds", "tasklets", "carriers", "p99", "events"}) {
            String svg = Files.readString(dir.resolve(chart + ".svg"));
            assertTrue(svg.startsWith("<svg") && svg.contains("<polyline"), chart);
        }
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("Hostile connections"));
    }
}
