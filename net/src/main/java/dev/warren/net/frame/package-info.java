/**
 * Length-prefixed messages: {@link dev.warren.net.frame.FrameFormat} (BuffStreams-compatible varint
 * header, or fixed 4-byte big-endian), {@link dev.warren.net.frame.FrameDecoder} for bytes arriving in
 * pieces, the blocking {@link dev.warren.net.frame.FrameReader} and the buffered
 * {@link dev.warren.net.frame.FrameWriter}. Bad input raises {@link dev.warren.net.frame.FrameException}
 * with a {@link dev.warren.net.frame.FrameException.Reason}. On top of them:
 * {@link dev.warren.net.frame.MessageServer} (a handler per message, replies, bad frames closing only
 * their connection), {@link dev.warren.net.frame.MessageClient} (reconnecting, batching, at-most-once or
 * at-least-once) and {@link dev.warren.net.frame.ConnectionManager} (named peers).
 */
package dev.warren.net.frame;
