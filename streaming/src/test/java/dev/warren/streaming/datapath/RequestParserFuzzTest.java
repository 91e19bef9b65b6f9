package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the request language and the whole check of a request (stage
 * classes, roles, every stage's options): any text is accepted or refused with a {@link RequestException}
 * whose place lies inside the request; anything else escaping is a finding. Regression inputs in
 * {@code src/test/resources/dev/warren/streaming/datapath/RequestParserFuzzTestInputs/check/}.
 *
 * <p>Jazzer's regex-injection hook is off for this module (src/test/resources/junit-platform.properties):
 * it reports any pattern that {@code Pattern.compile} refuses, even when the caller catches the refusal,
 * and a request carries regular expressions by design ({@code grep}, {@code classify}); a bad one must be
 * a {@link RequestException} under its option, which this target checks (input
 * {@code classify-rule-not-a-regex}).
 */
@Tag("fuzz")
class RequestParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void check(FuzzedDataProvider data) {
        String request = data.consumeRemainingAsString();
        try {
            Datapaths.check(request);
        } catch (RequestException e) {
            String[] lines = request.split("\n", -1);
            assertTrue(e.line() >= 1 && e.line() <= lines.length, e.getMessage());
            assertTrue(e.column() >= 1 && e.column() <= lines[e.line() - 1].length() + 1, e.getMessage());
        }
    }
}
