package dev.warren.tasklets;

/**
 * Thrown by {@link Tasklet#join()} and {@link TaskletScope#join()} when a task threw.
 *
 * <p>The {@linkplain #getCause() cause} is the exception the task threw, unchanged, with its own stack
 * trace; this exception's stack trace shows where the failure was observed. When a scope saw several
 * failures, the first is the cause and the later ones are {@linkplain #getSuppressed() suppressed}.
 */
public final class TaskletFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String taskletName;

    /**
     * @param taskletName the name of the tasklet whose task threw
     * @param cause what the task threw
     */
    public TaskletFailedException(String taskletName, Throwable cause) {
        super("tasklet '" + taskletName + "' failed: " + cause, cause);
        this.taskletName = taskletName;
    }

    /** The name of the tasklet whose failure is the cause. */
    public String taskletName() {
        return taskletName;
    }
}
