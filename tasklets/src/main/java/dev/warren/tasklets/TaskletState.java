package dev.warren.tasklets;

/**
 * The life cycle of a {@link Tasklet}: {@code NEW → RUNNING → DONE | FAILED | CANCELLED}.
 *
 * <p>A tasklet is {@code NEW} between its creation and the moment its thread starts running the task;
 * a tasklet cancelled before it ran goes straight from {@code NEW} to {@code CANCELLED}. The three
 * terminal states never change again.
 */
public enum TaskletState {
    /** Created, its thread not yet running the task. */
    NEW,
    /** Running the task (possibly parked on a channel, a socket, a sleep...). */
    RUNNING,
    /** The task returned normally; {@link Tasklet#result()} has its value. */
    DONE,
    /** The task threw; {@link Tasklet#join()} throws {@link TaskletFailedException} with it as the cause. */
    FAILED,
    /** The tasklet was cancelled (directly, by its scope, or by a deadline) before it finished. */
    CANCELLED;

    /** True for {@code DONE}, {@code FAILED} and {@code CANCELLED}. */
    public boolean isTerminal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
