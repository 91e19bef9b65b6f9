package dev.warren.streaming.datapath;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Where stages run: a chain runs in its source's tasklet; a boundary puts a bounded queue and a tasklet of
 * its own between two chains, with the block, drop_newest and drop_oldest policies; late emitters.
 */
class BoundaryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aChainRunsInItsSourcesTaskletAndABoundaryStartsAnother() throws Exception {
        try (Datapath dp = Datapaths.insert("(gen,count=100) > (where,tag=W1a) > (boundary) > (where,tag=W1b)")) {
            assertTrue(dp.awaitDone(WAIT));
            Set<String> before = TestStages.WHERE.get("W1a");
            Set<String> after = TestStages.WHERE.get("W1b");
            assertEquals(Set.of("datapath " + dp.id() + " source gen"), before);
            assertEquals(Set.of("datapath " + dp.id() + " boundary #2"), after);
        }
    }

    @RepeatedTest(3)
    void everyBlockCrossesABoundaryInOrderBeforeTheEnd() throws Exception {
        int n = 20_000;
        long sevens = 0;
        for (int i = 1; i <= n; i++) {
            if (String.valueOf(i).contains("7")) {
                sevens++;
            }
        }
        try (Datapath dp = Datapaths.insert("(gen,count=" + n + ",size=100) > (boundary,capacity=16)"
                + " > (grep,pattern=7) > (count) > (probe,tag=BD2" + System.nanoTime() + ")")) {
            assertTrue(dp.awaitDone(WAIT));
            List<StageStats> s = dp.stats();
            assertEquals(n, s.get(1).in());
            assertEquals(n, s.get(1).outTotal());
            assertEquals(0, s.get(1).dropped());
            assertEquals(sevens, s.get(3).in());
            String tag = dp.request().replaceAll(".*tag=(BD2[0-9]+).*", "$1");
            assertEquals((int) sevens, TestStages.SEEN_AT_END.get(tag), "the end comes after every block");
            List<String> seen = TestStages.seen(tag);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(num(seen.get(i - 1)) < num(seen.get(i)), "order kept across the boundary");
            }
        }
    }

    @RepeatedTest(3)
    void tinyRingsLoseNothingAndKeepOrderWhenBothSidesWaitOften() throws Exception {
        int n = 8_000; // the probe records into a copy-on-write list: keep it small
        for (int capacity : new int[] {1, 2, 3, 64}) {
            String tag = "BDR" + capacity + "x" + System.nanoTime();
            try (Datapath dp = Datapaths.insert("(gen,count=" + n + ",size=100) > (boundary,capacity=" + capacity
                    + ") > (probe,tag=" + tag + ")")) {
                assertTrue(dp.awaitDone(WAIT));
                assertEquals(n, dp.stats().get(1).outTotal(), "capacity " + capacity);
                assertEquals(0, dp.stats().get(1).dropped());
                List<String> seen = TestStages.seen(tag);
                assertEquals(n, seen.size(), "capacity " + capacity);
                assertEquals(n, (int) TestStages.SEEN_AT_END.get(tag), "the end comes after every block");
                for (int i = 0; i < n; i++) {
                    assertEquals(
                            i + 1, num(seen.get(i)), "capacity " + capacity + ": block " + i + " in order, intact");
                    assertEquals(100, seen.get(i).length(), "each block whole");
                }
            }
        }
    }

    @RepeatedTest(3)
    void twoSourcesFeedingOneBoundaryLoseNothing() throws Exception {
        int n = 5_000;
        String tag = "BDM" + System.nanoTime();
        try (Datapath dp = Datapaths.insert("((gen,count=" + n + ",size=100) | (gen,count=" + n + ",size=100))"
                + " > (boundary,capacity=8) > (probe,tag=" + tag + ")")) {
            assertTrue(dp.awaitDone(WAIT));
            List<String> seen = TestStages.seen(tag);
            assertEquals(2 * n, seen.size(), "every block of both sources crossed");
            long sum = 0;
            for (String b : seen) {
                sum += num(b);
            }
            assertEquals(2L * n * (n + 1) / 2, sum, "each source's blocks 1..n, once each");
        }
    }

    private static long num(String block) {
        return Long.parseLong(block.substring(0, block.indexOf(' ')));
    }

    @Test
    void blockMakesTheSourceWaitForTheChainBehindTheBoundary() throws Exception {
        try (Datapath dp = Datapaths.insert("(gen,count=1000) > (boundary,capacity=4) > (gate,tag=BD3) > (count)")) {
            // the gate holds one block; the boundary's 4 slots fill; then the source waits
            await().atMost(WAIT).until(() -> dp.stats().get(1).in() >= 4);
            long emitted = dp.stats().get(0).in();
            assertTrue(emitted <= 6, "the source went on to " + emitted + " blocks");
            TestStages.gate("BD3").countDown();
            assertTrue(dp.awaitDone(WAIT));
            assertEquals(1000, dp.stats().get(3).in());
            assertEquals(0, dp.stats().get(1).dropped());
        }
    }

    @Test
    void dropNewestDropsWhatDoesNotFit() throws Exception {
        try (Datapath dp = Datapaths.insert(
                "(gen,count=100) > (boundary,capacity=4,policy=drop_newest) > (gate,tag=BD4) > (count)")) {
            await().atMost(WAIT)
                    .until(() -> dp.stats().get(0).state().get("emitted").equals(100L));
            TestStages.gate("BD4").countDown();
            assertTrue(dp.awaitDone(WAIT));
            assertEquals(4, dp.stats().get(3).in(), "the block held by the gate and the 3 queued");
            assertEquals(96, dp.stats().get(1).dropped());
            assertEquals(List.of("1 x", "2 x", "3 x", "4 x"), TestStages.seen("BD4"));
        }
    }

    @Test
    void dropOldestKeepsTheNewest() throws Exception {
        try (Datapath dp = Datapaths.insert(
                "(gen,count=100) > (boundary,capacity=4,policy=drop_oldest) > (gate,tag=BD5) > (count)")) {
            await().atMost(WAIT)
                    .until(() -> dp.stats().get(0).state().get("emitted").equals(100L));
            await().atMost(WAIT)
                    .until(() -> TestStages.GATES.containsKey("BD5")
                            && dp.stats().get(1).in() == 100);
            TestStages.gate("BD5").countDown();
            assertTrue(dp.awaitDone(WAIT));
            List<String> seen = TestStages.seen("BD5");
            assertEquals(4, seen.size(), seen.toString());
            assertEquals(List.of("98 x", "99 x", "100 x"), seen.subList(1, 4), "the newest three");
            assertEquals(96, dp.stats().get(1).dropped());
        }
    }

    @Test
    void aBoundaryWhoseOutputRejoinsItsInputIsRefused() {
        RequestException e = assertThrows(
                RequestException.class, () -> Datapaths.insert("(gen) > ( (boundary) | (count) ) > (count)"));
        assertTrue(e.reason().startsWith("this boundary's output joins its own input again"), e.reason());
        assertEquals(11, e.column());
    }

    @Test
    void aStageEmittingFromItsOwnTaskletEndsAfterItsLateBlocks() throws Exception {
        try (Datapath dp = Datapaths.insert("(probe,tag=a1s,count=50) > (later) > (probe,tag=A1e)")) {
            assertTrue(dp.awaitDone(WAIT));
            List<String> seen = TestStages.seen("A1e");
            assertEquals(50, seen.size());
            assertEquals("A1S-1", seen.get(0));
            assertEquals(50, TestStages.SEEN_AT_END.get("A1e"), "endOfInput came after the late blocks");
            assertEquals(50, dp.stats().get(1).emitted());
            assertEquals(50, dp.stats().get(1).dropped(), "the originals were classified 0");
        }
    }

    @Test
    void closingWhileTheSourceRunsDrainsAndEndsEveryStage() throws Exception {
        Datapath dp = Datapaths.insert("(gen) > (boundary,capacity=8) > (probe,tag=BD7)");
        await().atMost(WAIT).until(() -> TestStages.seen("BD7").size() > 100);
        dp.close();
        assertEquals(Datapath.State.CLOSED, dp.state());
        assertTrue(dp.isDone(), "the stop is an end: every stage got it");
        StageStats boundary = dp.stats().get(1);
        assertEquals(boundary.in(), dp.stats().get(2).in() + boundary.dropped(), "everything queued was drained");
        assertEquals(0, boundary.dropped(), "the source stopped on its own, nothing was interrupted");
        assertTrue(TestStages.events("BD7").containsAll(List.of("end", "close")));
    }
}
