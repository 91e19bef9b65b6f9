package dev.warren.tasklets;

/**
 * A task run for its effect that may throw, for {@link TaskletScope#fork(String, CheckedRunnable)} and
 * {@link Tasklets#start(String, CheckedRunnable)}. Unlike {@link Runnable} it may throw
 * {@link InterruptedException} and other checked exceptions, which blocking tasklet code needs.
 */
@FunctionalInterface
public interface CheckedRunnable {
    /** Runs the task. */
    void run() throws Exception;
}
