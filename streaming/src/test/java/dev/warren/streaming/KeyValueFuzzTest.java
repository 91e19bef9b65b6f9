package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link KeyValue#parse}, the line format of the UDP and TCP
 * sources. Any line parses or is refused with an {@link IllegalArgumentException} (a source counts it
 * as a parse error; anything else would kill the source); a parsed line has a non-empty key without
 * whitespace and a finite value; and printing a parsed record back as a line parses to the same record.
 * Regression inputs in {@code src/test/resources/dev/warren/streaming/KeyValueFuzzTestInputs/parse/}.
 */
@Tag("fuzz")
class KeyValueFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parse(FuzzedDataProvider data) {
        String line = data.consumeRemainingAsString();
        KeyValue kv;
        try {
            kv = KeyValue.parse(line);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty(), "a refusal says why");
            return;
        }
        assertFalse(kv.key().isEmpty(), "empty key from '" + line + "'");
        assertTrue(kv.key().chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\r' || c == '\n'), kv.key());
        assertTrue(Double.isFinite(kv.value()), "value " + kv.value());
        String printed =
                kv.key() + " " + kv.value() + (kv.timestamp() == KeyValue.NO_TIMESTAMP ? "" : " " + kv.timestamp());
        assertEquals(kv, KeyValue.parse(printed), "round trip of '" + line + "' as '" + printed + "'");
    }
}
