package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The WebSocket text check against the JDK's strict UTF-8 decoder: the same verdict on every input. */
class Utf8CheckTest {
    private static boolean jdk(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void theEdgesOfRfc3629() {
        HexFormat hex = HexFormat.of();
        String[] valid = {
            "",
            "41",
            "c280",
            "dfbf",
            "e0a080",
            "efbfbf",
            "ed9fbf",
            "ee8080",
            "f0908080",
            "f48fbfbf",
            "cebae1bdb9cf83cebcceb5"
        };
        String[] invalid = {
            "80",
            "bf",
            "c0af",
            "c1bf",
            "c2",
            "e080",
            "e09f80",
            "eda080",
            "edbfbf",
            "f08f8080",
            "f4908080",
            "f5808080",
            "ff",
            "cebae1bdb9cf83cebcceb5eda080656469746564"
        };
        for (String v : valid) {
            assertTrue(WsSession.utf8(hex.parseHex(v)), v);
            assertTrue(jdk(hex.parseHex(v)), v);
        }
        for (String v : invalid) {
            assertFalse(WsSession.utf8(hex.parseHex(v)), v);
            assertFalse(jdk(hex.parseHex(v)), v);
        }
    }

    @Test
    void agreesWithTheJdkOnRandomInput() {
        Random r = new Random(42);
        int[] lead = {0x41, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0x80, 0xBF, 0xC0, 0x9F, 0xA0, 0x8F, 0x90};
        for (int t = 0; t < 200_000; t++) {
            byte[] b = new byte[r.nextInt(9)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : lead[r.nextInt(lead.length)]);
            }
            assertEquals(jdk(b), WsSession.utf8(b), () -> HexFormat.of().formatHex(b));
        }
    }
}
