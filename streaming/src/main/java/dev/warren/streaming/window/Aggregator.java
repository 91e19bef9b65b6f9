package dev.warren.streaming.window;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Folds the events of a window into a result, pane by pane: {@link #add} puts one event into a pane's
 * accumulator (O(1) per event), and an emission {@link #merge}s the accumulators of the panes the window
 * covers, then takes the {@link #result}.
 *
 * <pre>{@code
 * Aggregator<Reading, long[], Long> distinctMinutes = Aggregator.of(
 *         () -> new long[1],
 *         (acc, r) -> { acc[0]++; return acc; },
 *         (a, b) -> { a[0] += b[0]; return a; },
 *         acc -> acc[0]);
 * }</pre>
 *
 * <p><b>Contract.</b> Accumulators may be mutable. {@code add} and {@code merge} may mutate and return
 * their <em>first</em> argument; {@code merge} must never change its second argument (a pane's
 * accumulator is merged into several overlapping windows). {@code result} must not change its argument.
 * {@code merge} must be associative with {@code create()} as identity, so that any grouping of panes
 * gives the same result.
 *
 * <p><b>Threading.</b> A job calls an aggregator from all its shard tasklets at once, each on its own
 * accumulators: implementations must not share mutable state between accumulators.
 *
 * @param <E> the event type
 * @param <A> the accumulator type
 * @param <R> the result type
 */
public interface Aggregator<E, A, R> {

    /** A new, empty accumulator. */
    A create();

    /** Adds {@code event} to {@code acc}; returns the accumulator to keep (usually {@code acc}). */
    A add(A acc, E event);

    /** Combines {@code other} into {@code acc}; returns the combination (usually {@code acc}). */
    A merge(A acc, A other);

    /** The window's result from its merged accumulator. */
    R result(A acc);

    /** An aggregator from four functions; see the class comment for their contract. */
    static <E, A, R> Aggregator<E, A, R> of(
            Supplier<A> create,
            BiFunction<A, ? super E, A> add,
            BinaryOperator<A> merge,
            Function<? super A, ? extends R> result) {
        Objects.requireNonNull(create, "create");
        Objects.requireNonNull(add, "add");
        Objects.requireNonNull(merge, "merge");
        Objects.requireNonNull(result, "result");
        return new Aggregator<>() {
            @Override
            public A create() {
                return create.get();
            }

            @Override
            public A add(A acc, E event) {
                return add.apply(acc, event);
            }

            @Override
            public A merge(A acc, A other) {
                return merge.apply(acc, other);
            }

            @Override
            public R result(A acc) {
                return result.apply(acc);
            }
        };
    }
}
