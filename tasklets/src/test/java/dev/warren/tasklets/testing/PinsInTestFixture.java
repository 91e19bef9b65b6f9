package dev.warren.tasklets.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pins a carrier on purpose, to prove that {@link NoPinningExtension} fails it. Run only through the
 * JUnit testkit by {@link NoPinningExtensionTest}; the root pom excludes the tag from normal runs.
 */
@Tag("pinning-fixture")
class PinsInTestFixture {

    @Test
    void pinsInAClassInitializer() throws InterruptedException {
        PinCarrier.pin("fixture-pinner");
    }
}
