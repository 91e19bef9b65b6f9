package dev.warren.streaming;

/**
 * The clock of a processing-time job: it stamps each event when it is emitted, and decides when windows
 * close. The default is the system clock; tests pass a {@link ManualTimeSource} to run deterministically.
 *
 * <p>Implementations must be thread-safe and cheap: they are read on every emit.
 */
@FunctionalInterface
public interface TimeSource {

    /** Milliseconds since the epoch (or any fixed origin), never decreasing. */
    long nowMillis();

    /** The system clock, {@link System#currentTimeMillis()}. */
    static TimeSource system() {
        return System::currentTimeMillis;
    }

    /** A clock that stands still at {@code startMillis} until advanced. */
    static ManualTimeSource manual(long startMillis) {
        return new ManualTimeSource(startMillis);
    }
}
