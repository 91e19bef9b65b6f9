package dev.warren.tasklets.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReportsTest {

    @Test
    void registerSnapshotAndUnregister() {
        AtomicInteger calls = new AtomicInteger();
        try (Reports.Registration r = Reports.register("test-jobq", () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("calls", calls.incrementAndGet());
            m.put("queues", List.of("a", "b"));
            return m;
        })) {
            assertTrue(r.isActive());
            assertTrue(Reports.names().contains("test-jobq"));
            assertEquals(Optional.of("{\"calls\":1,\"queues\":[\"a\",\"b\"]}"), Reports.json("test-jobq"));
            assertEquals(
                    Map.of("calls", 2, "queues", List.of("a", "b")),
                    Reports.all().get("test-jobq"),
                    "built at call time");
        }
        assertFalse(Reports.names().contains("test-jobq"));
        assertEquals(Optional.empty(), Reports.snapshot("test-jobq"));
        assertEquals(Optional.empty(), Reports.json("test-jobq"));
    }

    @Test
    void registeringANameTwiceReplacesAndTheOldRegistrationCannotRemoveTheNewOne() {
        Reports.Registration first = Reports.register("test-replace", () -> "first");
        Reports.Registration second = Reports.register("test-replace", () -> "second");
        try {
            assertEquals(Optional.of("second"), Reports.snapshot("test-replace"));
            assertFalse(first.isActive());
            first.close();
            assertEquals(Optional.of("second"), Reports.snapshot("test-replace"));
        } finally {
            second.close();
            second.close();
        }
        assertFalse(Reports.names().contains("test-replace"));
    }

    @Test
    void aThrowingSupplierYieldsAnErrorTreeAndDoesNotBreakAll() {
        try (var bad = Reports.register("test-bad", () -> {
                    throw new IllegalStateException("shard 3 is gone");
                });
                var good = Reports.register("test-good", () -> Map.of("ok", true))) {
            assertTrue(bad.isActive() && good.isActive());
            assertEquals(
                    Optional.of("{\"error\":\"java.lang.IllegalStateException: shard 3 is gone\"}"),
                    Reports.json("test-bad"));
            Map<String, Object> all = Reports.all();
            assertEquals(Map.of("ok", true), all.get("test-good"));
            assertTrue(((Map<?, ?>) all.get("test-bad")).containsKey("error"));
        }
    }

    @Test
    void blankNamesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Reports.register(" ", () -> 1));
        assertTrue(e.getMessage().contains("\" \""), e.getMessage());
    }
}
