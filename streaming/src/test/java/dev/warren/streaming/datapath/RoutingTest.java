package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Classification and ranges: a block goes on only through the edges whose range holds its classification. */
class RoutingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Datapath run(String request) throws InterruptedException {
        Datapath dp = Datapaths.insert(request);
        assertTrue(dp.awaitDone(WAIT), "not done: " + dp.report());
        return dp;
    }

    /** Runs {@code request} to its end, applies {@code checks}, closes it. */
    static void check(String request, Checks checks) throws Exception {
        Datapath dp = run(request);
        try {
            checks.check(dp);
        } finally {
            dp.close();
        }
    }

    interface Checks {
        void check(Datapath dp) throws Exception;
    }

    @Test
    void byDefaultAnEdgeTakesAnythingButZero() throws Exception {
        check("(probe,tag=R1s,count=3) > (probe,tag=R1a,classify=0) > (record,tag=R1b)", dp -> {
            assertEquals(List.of("R1s-1", "R1s-2", "R1s-3"), TestStages.seen("R1a"));
            assertEquals(List.of(), TestStages.seen("R1b"));
            StageStats a = dp.stats().get(1);
            assertEquals(3, a.in());
            assertEquals(3, a.dropped());
            assertEquals(Map.of(0, 3L), a.out());
        });
    }

    @Test
    void branchRangesPickTheirClassifications() throws Exception {
        check(
                "(probe,tag=R2s,count=4) > (classify,1=-1$,2=-2$,3=-3$)"
                        + " > ( [1] (record,tag=R2one) | [2-3] (record,tag=R2two) | [*] (record,tag=R2all) )",
                dp -> {
                    assertEquals(List.of("R2s-1"), TestStages.seen("R2one"));
                    assertEquals(List.of("R2s-2", "R2s-3"), TestStages.seen("R2two"));
                    assertEquals(
                            List.of("R2s-1", "R2s-2", "R2s-3", "R2s-4"), TestStages.seen("R2all"), "[*] takes 0 too");
                    StageStats c = dp.stats().get(1);
                    assertEquals(Map.of(0, 1L, 1, 1L, 2, 1L, 3, 1L), c.out());
                });
    }

    @Test
    void anEdgeRangeAppliesToEveryBranchWithoutItsOwn() throws Exception {
        check(
                "(probe,tag=R3s,count=4) > (classify,1=-1$,2=-2$,3=-3$)"
                        + " >[2,3] ( (record,tag=R3a) | [1] (record,tag=R3b) )",
                dp -> {
                    assertEquals(List.of("R3s-2", "R3s-3"), TestStages.seen("R3a"));
                    assertEquals(List.of("R3s-1"), TestStages.seen("R3b"), "a branch's range replaces the edge's");
                });
    }

    @Test
    void routingSendsClassificationNToBranchN() throws Exception {
        int n = 200;
        check(
                "(probe,tag=R4s,count=" + n + ") > (hash,buckets=3)"
                        + " >> ( (record,tag=R4a) | (record,tag=R4b) | (record,tag=R4c) )",
                dp -> {
                    List<List<String>> branches =
                            List.of(TestStages.seen("R4a"), TestStages.seen("R4b"), TestStages.seen("R4c"));
                    List<String> all = new ArrayList<>();
                    for (int b = 0; b < 3; b++) {
                        assertTrue(!branches.get(b).isEmpty(), "branch " + (b + 1) + " got nothing of " + n);
                        for (String s : branches.get(b)) {
                            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                            int c = 1
                                    + Integer.remainderUnsigned(
                                            dev.warren.streaming.datapath.stages.HashProbe.hash(bytes), 3);
                            assertEquals(b + 1, c, "block '" + s + "' went to branch " + (b + 1));
                        }
                        all.addAll(branches.get(b));
                    }
                    assertEquals(n, all.size());
                    assertEquals(n, Set.copyOf(all).size(), "each block went to exactly one branch");
                });
    }

    @Test
    void aClassificationWithoutABranchIsCountedAsUnrouted() throws Exception {
        check(
                "(probe,tag=R5s,count=3) > (classify,1=-1$,2=-2$,3=-3$)"
                        + " >> ( (record,tag=R5a) | (record,tag=R5b) )",
                dp -> {
                    assertEquals(List.of("R5s-1"), TestStages.seen("R5a"));
                    assertEquals(List.of("R5s-2"), TestStages.seen("R5b"));
                    assertEquals(1, dp.stats().get(1).unrouted(), "classification 3 has no third branch");
                });
    }

    @Test
    void branchesThatMeetAgainDeliverOncePerPath() throws Exception {
        try (Datapath dp =
                run("(probe,tag=R6s,count=2) > ( (record,tag=R6a) | (record,tag=R6b) ) > (record,tag=R6d)")) {
            assertEquals(List.of("R6s-1", "R6s-1", "R6s-2", "R6s-2"), TestStages.seen("R6d"));
            assertEquals(4, dp.stats().get(3).in());
        }
    }

    @Test
    void severalSourcesFeedOneChainInTurn() throws Exception {
        check("( (gen,count=5000,payload=a) | (gen,count=5000,payload=b) ) > (count,name=both)", dp -> {
            StageStats both = dp.stats().get(2);
            assertEquals(10_000, both.in());
            assertEquals(10_000L, both.state().get("blocks"));
        });
    }

    @Test
    void aRangeWithNoEdgeBeforeItIsRefused() {
        RequestException e =
                assertThrows(RequestException.class, () -> Datapaths.insert("( [2] (gen) | (gen) ) > (count)"));
        assertEquals("a range needs an edge into its branch: nothing comes before this group", e.reason());
        assertEquals(3, e.column());
    }
}
