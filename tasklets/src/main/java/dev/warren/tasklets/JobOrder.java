package dev.warren.tasklets;

/**
 * The order in which a {@link JobQueue}'s workers take jobs from its backlog (libmtev's
 * {@code eventer_jobq_set_lifo}).
 */
public enum JobOrder {
    /** First in, first out: the oldest queued job runs next. The default. */
    FIFO,
    /**
     * Last in, first out: the newest queued job runs next. Under overload this keeps latency low for
     * fresh work while old jobs wait (and, with a deadline, expire instead of running late).
     */
    LIFO
}
