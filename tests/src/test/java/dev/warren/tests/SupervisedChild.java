package dev.warren.tests;

import dev.warren.tasklets.Tasklets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A Warren program for {@link SuperviseTest} to supervise, steered line by line on its standard input:
 * {@code hang} makes every carrier busy with a tasklet that never parks (run it with
 * {@code -Djdk.virtualThreadScheduler.parallelism=1}), so the runtime's heartbeat to the supervisor stops;
 * {@code exit N} ends it with status N.
 */
public final class SupervisedChild {
    private SupervisedChild() {}

    static volatile boolean spinning = true;

    public static void main(String[] args) throws Exception {
        // Using the runtime starts the heartbeat when the supervisor's variables are set.
        Tasklets.start("hello", () -> {}).join();
        System.out.println("child ready " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("hang")) {
                Tasklets.start("spinner", SupervisedChild::spinForever);
            } else if (line.startsWith("exit ")) {
                System.exit(Integer.parseInt(line.substring(5)));
            }
        }
    }

    /** Never parks: holds its carrier until the process dies. */
    static void spinForever() {
        long n = 0;
        while (spinning) {
            n++;
        }
        System.out.println(n);
    }
}
