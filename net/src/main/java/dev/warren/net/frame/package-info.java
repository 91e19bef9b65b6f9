/**
 * Length-prefixed messages: {@link dev.warren.net.frame.FrameFormat} (BuffStreams-compatible varint
 * header, or fixed 4-byte big-endian), {@link dev.warren.net.frame.FrameDecoder} for bytes arriving in
 * pieces, the blocking {@link dev.warren.net.frame.FrameReader} and the buffered
 * {@link dev.warren.net.frame.FrameWriter}. Bad input raises {@link dev.warren.net.frame.FrameException}
 * with a {@link dev.warren.net.frame.FrameException.Reason}.
 */
package dev.warren.net.frame;
