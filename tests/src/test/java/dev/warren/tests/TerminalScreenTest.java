package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.demos.TerminalScreen;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dashboards' screen renderer: redraw from the top without clearing, cut to width, NO_COLOR. */
class TerminalScreenTest {
    private static final String HOME = "\u001b[H";
    private static final String EL = "\u001b[K";
    private static final String ED = "\u001b[J";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private static TerminalScreen screen(int width, boolean color) {
        return new TerminalScreen(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), width, color);
    }

    @Test
    void eachLineOverwritesTheOldOneAndWhatIsBelowIsCleared() {
        assertEquals(
                HOME + "ab" + EL + "\n" + "c" + EL + "\n" + ED, screen(80, true).render("ab\nc\n"));
    }

    @Test
    void linesAreCutToTheWidthCountingOnlyVisibleCharacters() {
        String frame = BOLD + "hiveparser" + RESET + " sliding 5s/1s\n0123456789abcdef\n";
        assertEquals(
                HOME + BOLD + "hiveparser" + RESET + RESET + EL + "\n" + "0123456789" + EL + "\n" + ED,
                screen(10, true).render(frame));
    }

    @Test
    void noColorDropsEveryStyle() {
        assertEquals(
                HOME + "top keys   rate" + EL + "\n" + ED,
                screen(80, false).render(BOLD + "top keys   rate" + RESET + "\n"));
    }

    @Test
    void carriageReturnsAreDroppedAndALastLineWithoutNewlineIsKept() {
        assertEquals(HOME + "a" + EL + "\n" + "b" + EL + ED, screen(80, true).render("a\r\nb"));
    }
}
