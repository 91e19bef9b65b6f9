package dev.warren.tasklets.testing;

/**
 * Blocks in its static initializer. Never loaded by name: {@link PinCarrier} defines a fresh hidden copy
 * of these bytes each time, so the initializer runs (and pins) on every call.
 */
final class SleepsInClinit {
    static {
        try {
            Thread.sleep(PinCarrier.PIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SleepsInClinit() {}
}
