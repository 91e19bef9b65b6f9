package dev.warren.streaming.datapath;

import dev.warren.tasklets.Fairness;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A chain: the stages reached from a driver (a source, the tasklet behind a boundary, a stage's own
 * tasklet) without crossing a boundary. Stages of one region are called by one tasklet at a time: when
 * more than one driver feeds the region, each push takes {@link #lock} (a ReentrantLock: a push may
 * wait, and must not pin a carrier); with one driver, pushes take no lock at all.
 */
final class Region {
    final int id;
    final ReentrantLock lock = new ReentrantLock();
    /** How many drivers feed this region; fixed once every stage is open. */
    int drivers;
    /** Set once every stage is open, before any driver starts (the fork publishes it). */
    boolean locked;
    /**
     * The budget of the tasklet pushing right now, for emits from inside a stage ({@link StageContext#emit});
     * written by the driver at the start of each push, under the lock when there is one.
     */
    Fairness.Budget budget = Fairness.budget();

    Region(int id) {
        this.id = id;
    }
}
