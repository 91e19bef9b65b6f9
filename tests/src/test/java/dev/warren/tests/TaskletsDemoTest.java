package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ./tasklets_demo} as a process: the parked run with its raw baseline, the flags, bad arguments. */
class TaskletsDemoTest {

    @Test
    void parksReleasesAndComparesWithRawVirtualThreads() throws Exception {
        try (DemoProcess demo = DemoProcess.start("tasklets_demo", "--count", "20_000")) {
            demo.await("^warm-up  3 rounds of 10,000", 60);
            assertEquals("20,000", demo.await("^parked   ([\\d,]+) tasklets; live in the registry", 60));
            demo.await("^spawned  20,000 tasklets in [\\d,]+ ms: [\\d,]+/s$", 60);
            demo.await("^heap     -?[\\d,]+ MB used by them: -?[\\d,]+ bytes per parked thread$", 60);
            demo.await("^released all; every one ended after [\\d,]+ ms", 60);
            demo.await("^baseline 20,000 raw virtual threads", 60);
            demo.await("^spawned  20,000 raw in", 60);
            demo.await(
                    "^tasklets vs raw virtual threads: spawn [\\d.]+x the time, heap -?[\\d.]+x, "
                            + "release\\+join [\\d.]+x the time$",
                    60);
            assertTrue(demo.process.waitFor(60, TimeUnit.SECONDS), "the demo ends by itself");
            assertEquals(0, demo.process.exitValue(), demo.stderr.get());
        }
    }

    @Test
    void coldAndWithoutBaselineMeasuresTaskletsOnly() throws Exception {
        try (DemoProcess demo = DemoProcess.start("tasklets_demo", "--count", "5000", "--cold", "--no-baseline")) {
            demo.await("^starting 5,000 tasklets", 60);
            demo.await("^released all; every one ended after", 60);
            assertTrue(demo.process.waitFor(60, TimeUnit.SECONDS), "the demo ends by itself");
            assertEquals(0, demo.process.exitValue(), demo.stderr.get());
            String out = demo.output();
            assertFalse(out.contains("warm-up"), out);
            assertFalse(out.contains("baseline"), out);
        }
    }

    @Test
    void badArgumentsNameTheValueAndExit2() throws Exception {
        try (DemoProcess demo = DemoProcess.start("tasklets_demo", "--count", "0")) {
            assertTrue(demo.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, demo.process.exitValue());
            assertTrue(
                    demo.stderrAfterExit().contains("--count must be between 1 and 10000000, was 0"),
                    demo.stderr.get());
        }
        try (DemoProcess demo = DemoProcess.start("tasklets_demo", "--fast")) {
            assertTrue(demo.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, demo.process.exitValue());
            assertTrue(demo.stderrAfterExit().contains("unknown argument '--fast'"), demo.stderr.get());
        }
    }
}
