package dev.warren.net.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** One whole WebSocket message, text or binary. Immutable. */
public final class WebSocketMessage {
    private final boolean text;
    private final byte[] data;

    WebSocketMessage(boolean text, byte[] data) {
        this.text = text;
        this.data = data;
    }

    /** A text message (for tests and senders that build messages). */
    public static WebSocketMessage text(String text) {
        return new WebSocketMessage(true, Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /** A binary message; the array is copied. */
    public static WebSocketMessage binary(byte[] data) {
        return new WebSocketMessage(false, Objects.requireNonNull(data, "data").clone());
    }

    /** Whether it is a text message (its bytes are valid UTF-8). */
    public boolean isText() {
        return text;
    }

    /** The text (for a binary message, its bytes decoded as UTF-8 with replacement). */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The bytes (a copy). */
    public byte[] bytes() {
        return data.clone();
    }

    /** The length in bytes. */
    public int length() {
        return data.length;
    }

    @Override
    public String toString() {
        return (text ? "text" : "binary") + " message of " + data.length + " bytes";
    }
}
