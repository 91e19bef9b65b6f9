package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who sees an edit (docs/DATAPATHS.md, "Editing blocks"): the stages after the editing stage on the same
 * path, never a sibling branch, whatever the order in the request; the same for a replacement.
 */
class EditVisibilityTest {
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
    void anInPlaceEditIsSeenDownstreamButNotByASiblingAfterIt() throws Exception {
        check("(probe,tag=e1s,count=2) > ( (upper) > (record,tag=E1edited) | (record,tag=E1view) )", dp -> {
            assertEquals(List.of("E1S-1", "E1S-2"), TestStages.seen("E1edited"));
            assertEquals(List.of("e1s-1", "e1s-2"), TestStages.seen("E1view"));
        });
    }

    @Test
    void norByASiblingBeforeIt() throws Exception {
        check("(probe,tag=e2s,count=2) > ( (record,tag=E2view) | (upper) > (record,tag=E2edited) )", dp -> {
            assertEquals(List.of("e2s-1", "e2s-2"), TestStages.seen("E2view"));
            assertEquals(List.of("E2S-1", "E2S-2"), TestStages.seen("E2edited"));
        });
    }

    @Test
    void anEditBeforeAForkIsSeenByEveryBranch() throws Exception {
        check("(probe,tag=e3s,count=1) > (upper) > ( (record,tag=E3a) | (record,tag=E3b) )", dp -> {
            assertEquals(List.of("E3S-1"), TestStages.seen("E3a"));
            assertEquals(List.of("E3S-1"), TestStages.seen("E3b"));
        });
    }

    @Test
    void aReplacementIsUndoneForTheNextBranch() throws Exception {
        check(
                "(probe,tag=e4s,count=1) > ( (suffix,text=!) > (record,tag=E4a) | (record,tag=E4b)"
                        + " | (suffix,text=?) > (upper) > (record,tag=E4c) )",
                dp -> {
                    assertEquals(List.of("e4s-1!"), TestStages.seen("E4a"));
                    assertEquals(List.of("e4s-1"), TestStages.seen("E4b"));
                    assertEquals(
                            List.of("E4S-1?"),
                            TestStages.seen("E4c"),
                            "an edit of a replacement edits the replacement");
                });
    }

    @Test
    void nestedForksKeepEveryBranchOnItsOwnCopy() throws Exception {
        check(
                "(probe,tag=e5s,count=1) > ( (upper) > ( (suffix,text=x) > (record,tag=E5a)"
                        + " | (record,tag=E5b) ) | (record,tag=E5c) )",
                dp -> {
                    assertEquals(List.of("E5S-1x"), TestStages.seen("E5a"));
                    assertEquals(List.of("E5S-1"), TestStages.seen("E5b"));
                    assertEquals(List.of("e5s-1"), TestStages.seen("E5c"));
                });
    }

    @Test
    void blocksEmittedByAStageAreNotChangedUnderItByAnEditAfterIt() throws Exception {
        check(
                "(probe,tag=e6s,count=1) > (suffix,text=\"\\nmore\\n\") > (lines)"
                        + " > ( (upper) > (record,tag=E6a) | (record,tag=E6b) )",
                dp -> {
                    assertEquals(List.of("E6S-1", "MORE"), TestStages.seen("E6a"));
                    assertEquals(List.of("e6s-1", "more"), TestStages.seen("E6b"));
                });
    }

    @Test
    void anExportSeesTheBlockAsItLeftItsStage() throws Exception {
        try (Datapath dp =
                        run("(probe,tag=e7s,count=2) > (upper,export,name=edit7) > (suffix,text=z) > (record,tag=E7)");
                StreamReader r = Streams.open("edit7")) {
            byte[] buf = new byte[64];
            int n = r.read(buf, 0, buf.length);
            assertEquals("E7S-1", new String(buf, 0, n, StandardCharsets.UTF_8));
            assertEquals(List.of("E7S-1z", "E7S-2z"), TestStages.seen("E7"));
            assertEquals(List.of("edit7"), dp.exports());
        }
    }
}
