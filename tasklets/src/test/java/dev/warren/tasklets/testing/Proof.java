package dev.warren.tasklets.testing;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;

/**
 * Shared settings of the proof tests (Lincheck and the stress harnesses): how many scenarios, how long,
 * and a small builder for hand-written Lincheck scenarios from Java.
 *
 * <p>{@code make run_tests} runs the quick versions (scenario counts chosen so that all proof tests
 * together cost about a minute on 2 cores); {@code make proof} sets {@code -Dwarren.proof=long} and runs
 * the long ones. Tests tagged {@link #TAG} are the ones {@code make proof} selects.
 */
public final class Proof {
    /** The JUnit tag of every proof test. */
    public static final String TAG = "proof";

    private Proof() {}

    /** True under {@code make proof}. */
    public static boolean longRun() {
        return "long".equals(System.getProperty("warren.proof"));
    }

    /** {@code quick} in {@code make run_tests}, {@code full} under {@code make proof}. */
    public static int scale(int quick, int full) {
        return longRun() ? full : quick;
    }

    /** How long a stress harness runs: {@code quick} in {@code make run_tests}, {@code full} under {@code make proof}. */
    public static Duration budget(Duration quick, Duration full) {
        return longRun() ? full : quick;
    }

    /** A hand-written scenario over the operations (public methods) of {@code testClass}. */
    public static ScenarioBuilder scenario(Class<?> testClass) {
        return new ScenarioBuilder(testClass);
    }

    /** Builds an {@link ExecutionScenario}: an initial part, parallel threads, a post part. */
    public static final class ScenarioBuilder {
        private final Class<?> testClass;
        private final List<Actor> init = new ArrayList<>();
        private final List<List<Actor>> threads = new ArrayList<>();
        private final List<Actor> post = new ArrayList<>();

        ScenarioBuilder(Class<?> testClass) {
            this.testClass = testClass;
        }

        /** Runs {@code op(args)} before the parallel part. */
        public ScenarioBuilder init(String op, Object... args) {
            init.add(actor(op, args));
            return this;
        }

        /** A parallel thread running the given operations in order; each is {@code "name"} or {@code "name:arg"}. */
        public ScenarioBuilder thread(String... ops) {
            List<Actor> t = new ArrayList<>();
            for (String op : ops) {
                int colon = op.indexOf(':');
                t.add(colon < 0 ? actor(op) : actor(op.substring(0, colon), Integer.parseInt(op.substring(colon + 1))));
            }
            threads.add(t);
            return this;
        }

        /** Runs {@code op(args)} after the parallel part. */
        public ScenarioBuilder post(String op, Object... args) {
            post.add(actor(op, args));
            return this;
        }

        public ExecutionScenario build() {
            return new ExecutionScenario(init, threads, post, null);
        }

        private Actor actor(String name, Object... args) {
            for (Method m : testClass.getMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                    return new Actor(m, Arrays.asList(args), false, false, false, false, false);
                }
            }
            throw new IllegalArgumentException(
                    "no public method " + name + " with " + args.length + " parameters in " + testClass.getName());
        }
    }
}
