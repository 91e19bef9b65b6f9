package dev.warren.tasklets;

/**
 * Told about every failure of a child of a {@linkplain TaskletScope#supervise(String) supervising scope}.
 *
 * <p>Called on the failing child's own tasklet, right after its task threw and before any restart
 * pause; it should return quickly and must not throw (what it throws is logged and ignored).
 */
@FunctionalInterface
public interface SupervisionHandler {
    /**
     * Reports one failure of a supervised child.
     *
     * @param tasklet the child whose task threw
     * @param failure what it threw
     * @param willRestart true if the scope will restart the child after its backoff pause, false if
     *     this failure ends it (no restart policy, an {@link Error}, or the restart rate limit was hit)
     */
    void onFailure(Tasklet<?> tasklet, Throwable failure, boolean willRestart);
}
