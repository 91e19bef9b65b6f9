package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streamline's lifecycle: tryex for every stage before anything opens; open in request order; close in
 * reverse, also for the stage whose open failed; class init and cleanup; stages found by ServiceLoader.
 */
class LifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void tryexStopsABadRequestWithNothingOpened() {
        RequestException e = assertThrows(
                RequestException.class,
                () -> Datapaths.insert("(probe,tag=L1a,count=1) > (probe,tag=L1b) > (probe,tag=L1c,failtryex)"
                        + " > (probe,tag=L1d)"));
        assertEquals("stage 'probe': refused by failtryex", e.reason());
        assertEquals(46, e.column(), e.getMessage());
        // every stage before the refused one was checked, none was made or opened
        assertEquals(List.of("tryex"), TestStages.events("L1a"));
        assertEquals(List.of("tryex"), TestStages.events("L1b"));
        assertEquals(List.of("tryex"), TestStages.events("L1c"));
        assertEquals(List.of(), TestStages.events("L1d"));
        assertTrue(Datapaths.list().isEmpty());
    }

    @Test
    void aBadOptionValueGetsTheCaretUnderItsOption() {
        RequestException e =
                assertThrows(RequestException.class, () -> Datapaths.insert("(gen,count=3,size=abc) > (count)"));
        assertEquals("stage 'gen': option 'size' must be a size like 4096, 64k or 4m, was 'abc'", e.reason());
        assertEquals(14, e.column());
    }

    @Test
    void anUnknownStageIsNamedWithASuggestion() {
        RequestException e = assertThrows(RequestException.class, () -> Datapaths.insert("(gen) > (compres)"));
        assertTrue(
                e.reason().startsWith("unknown stage 'compres' (did you mean 'compress'?); known stages: "),
                e.reason());
        assertEquals(10, e.column());
    }

    @Test
    void rolesComeFromThePlaceInTheRequest() {
        RequestException noInput = assertThrows(RequestException.class, () -> Datapaths.insert("(compress) > (count)"));
        assertTrue(
                noInput.reason().startsWith("stage 'compress' has no input: a datapath starts with a source ("),
                noInput.reason());
        RequestException sourceInside =
                assertThrows(RequestException.class, () -> Datapaths.insert("(gen) > (tcpsock,port=0)"));
        assertEquals("'tcpsock' is a source: it cannot take input", sourceInside.reason());
        assertEquals(10, sourceInside.column());
    }

    @Test
    void anOpenFailureClosesWhatWasOpenedInReverseTheFailedOneToo() {
        DatapathException e = assertThrows(
                DatapathException.class,
                () -> Datapaths.insert(
                        "(probe,tag=L2a,count=5) > (probe,tag=L2b) > (probe,tag=L2c,failopen)" + " > (probe,tag=L2d)"));
        assertEquals(2, e.stage());
        assertTrue(
                e.getMessage().contains("stage 'probe' (#2, column 45) failed to open: refused by failopen"),
                e.getMessage());
        List<String> all =
                TestStages.EVENTS.stream().filter(s -> s.startsWith("L2")).toList();
        assertEquals(
                List.of(
                        "L2a:tryex",
                        "L2b:tryex",
                        "L2c:tryex",
                        "L2d:tryex",
                        "L2a:new",
                        "L2a:open",
                        "L2b:new",
                        "L2b:open",
                        "L2c:new",
                        "L2c:open",
                        "L2c:close",
                        "L2b:close",
                        "L2a:close"),
                all);
        assertTrue(Datapaths.list().isEmpty());
    }

    @Test
    void aTakenPortFailsTheOpenAndLeavesNothingBehind() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            DatapathException e = assertThrows(
                    DatapathException.class,
                    () -> Datapaths.insert("(tcpsock,bind=127.0.0.1,port=" + port + ") > (probe,tag=L5)"
                            + " > (compress,export,name=l5)"));
            assertEquals(0, e.stage());
            assertEquals(List.of("tryex"), TestStages.events("L5"));
            assertFalse(Streams.exists("l5"), "the exported name is released");
        }
    }

    @Test
    void aRunningDatapathEndsItsStagesThenClosesThemInReverse() throws Exception {
        Datapath dp = Datapaths.insert(
                "(probe,tag=L3a,count=3) > (probe,tag=L3b) > (probe,tag=L3c,failclose)" + " > (probe,tag=L3d)");
        try {
            assertTrue(dp.awaitDone(WAIT));
            assertEquals(Datapath.State.RUNNING, dp.state());
            assertTrue(Datapaths.list().contains(dp));
            assertEquals(List.of("L3a-1", "L3a-2", "L3a-3"), TestStages.seen("L3d"));
        } finally {
            dp.close();
        }
        assertEquals(Datapath.State.CLOSED, dp.state());
        List<String> all =
                TestStages.EVENTS.stream().filter(s -> s.startsWith("L3")).toList();
        assertEquals(
                List.of(
                        "L3a:tryex",
                        "L3b:tryex",
                        "L3c:tryex",
                        "L3d:tryex",
                        "L3a:new",
                        "L3a:open",
                        "L3b:new",
                        "L3b:open",
                        "L3c:new",
                        "L3c:open",
                        "L3d:new",
                        "L3d:open",
                        "L3a:run",
                        "L3b:end",
                        "L3c:end",
                        "L3d:end",
                        "L3d:close",
                        "L3c:close",
                        "L3b:close",
                        "L3a:close"),
                all,
                "a close that throws (L3c) does not keep the others from closing");
        assertTrue(Datapaths.list().isEmpty());
    }

    @Test
    void stagesOnTheTestClassPathAreFoundByServiceLoader() {
        assertTrue(Datapaths.stages().keySet().containsAll(List.of("probe", "upper", "suffix", "record", "later")));
        assertTrue(Datapaths.stages()
                .keySet()
                .containsAll(List.of(
                        "boundary",
                        "classify",
                        "compress",
                        "count",
                        "decompress",
                        "export",
                        "file",
                        "gen",
                        "grep",
                        "hash",
                        "head",
                        "httpblock",
                        "keyed",
                        "lines",
                        "ratelimit",
                        "sample",
                        "stdin",
                        "stdout",
                        "tcp",
                        "tcpsock",
                        "udpsock",
                        "wakeup")));
        assertEquals("test: records its lifecycle", Datapaths.stages().get("probe"));
    }

    @Test
    void aClassWhoseInitFailsIsNotRegisteredAndTheRegistrySaysWhy() {
        assertEquals(
                "init failed: java.lang.IllegalStateException: no such device",
                Datapaths.unavailableStages().get("brokeninit"));
        assertFalse(Datapaths.stages().containsKey("brokeninit"));
        RequestException e = assertThrows(RequestException.class, () -> Datapaths.insert("(gen) > (brokeninit)"));
        assertTrue(e.reason().startsWith("unknown stage 'brokeninit'"), e.reason());
    }

    @Test
    void shutdownClosesEveryDatapathAndCleansEveryClassUp() throws Exception {
        Datapath dp = Datapaths.insert("(probe,tag=L4a,count=1) > (probe,tag=L4b)");
        int before =
                (int) TestStages.EVENTS.stream().filter("class:cleanup"::equals).count();
        Datapaths.shutdown();
        assertEquals(Datapath.State.CLOSED, dp.state());
        assertEquals(
                before + 1,
                TestStages.EVENTS.stream().filter("class:cleanup"::equals).count());
        // the next use loads the classes again
        assertTrue(Datapaths.stages().containsKey("probe"));
    }
}
