package dev.warren.streaming.datapath;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.Tasklets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sources that never wait (an endless {@code gen} into stages that never block) leave room for others:
 * with twice as many of them as there are carriers, a tasklet started afterwards still runs. A liveness
 * check, like the long-body and datagram cases of FairnessUnderLoadTest: with fair turns off
 * ({@code -Dwarren.fairness.sliceMicros=0}) the bystander happened to run too in our runs, so it does not
 * prove that the fair turns of {@code DriverOutput} are what lets it.
 */
class DatapathFairnessTest {
    private static final int LIVENESS_SECONDS = 60;

    @Test
    void endlessSourcesDoNotStarveABystander() throws Exception {
        int busy = 2 * Runtime.getRuntime().availableProcessors();
        List<Datapath> paths = new ArrayList<>();
        try {
            for (int i = 0; i < busy; i++) {
                paths.add(Datapaths.insert("(gen,payload=abcdefgh) > (grep,pattern=h$) > (count)"));
            }
            await().atMost(Duration.ofSeconds(LIVENESS_SECONDS))
                    .until(() -> paths.stream().allMatch(p -> p.stats().get(0).in() > 10_000));
            CountDownLatch ran = new CountDownLatch(1);
            Tasklets.start("bystander", ran::countDown); // from this platform thread, as a new connection's is
            assertTrue(ran.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "the bystander never ran");
        } finally {
            for (Datapath p : paths) {
                p.close();
            }
        }
    }
}
