package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class PollerModeCheckTest {
    private static final boolean LINUX =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

    @Test
    void virtualThreadPollersSetExplicitlyAreRiskyOnEveryJdk() {
        assertTrue(PollerModeCheck.risky("2", 21));
        assertTrue(PollerModeCheck.risky("2", 25));
        assertTrue(PollerModeCheck.risky("VTHREAD_POLLERS", 25));
        assertTrue(PollerModeCheck.risky(" vthread_pollers ", 25));
    }

    @Test
    void platformPollersAreNeverRisky() {
        assertFalse(PollerModeCheck.risky("1", 25));
        assertFalse(PollerModeCheck.risky("SYSTEM_THREADS", 25));
        assertFalse(PollerModeCheck.risky("system_threads", 22));
    }

    @Test
    void anUnsetModeIsRiskyOnLinuxFromJdk22() {
        assertFalse(PollerModeCheck.risky(null, 21), "JDK 21 update releases differ in their default");
        assertEquals(LINUX, PollerModeCheck.risky(null, 22));
        assertEquals(LINUX, PollerModeCheck.risky(null, 25));
    }
}
