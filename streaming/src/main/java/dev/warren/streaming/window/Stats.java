package dev.warren.streaming.window;

/**
 * Count, sum, minimum and maximum of a window's values together: the result of
 * {@link Aggregators#stats}. An emitted window always has {@code count >= 1}.
 *
 * @param count the number of events
 * @param sum the sum of their values
 * @param min the smallest value
 * @param max the largest value
 */
public record Stats(long count, double sum, double min, double max) {

    /** The mean value, {@code sum / count} ({@code NaN} when empty). */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
