/**
 * The built-in sources of a job's raw records ({@link dev.warren.streaming.source.Sources}): lines of a
 * file or stdin, lines over UDP ({@link dev.warren.streaming.source.UdpLineSource}) and framed messages
 * over TCP ({@link dev.warren.streaming.source.TcpFrameSource}). They implement
 * {@link dev.warren.streaming.Source}, which lives with {@link dev.warren.streaming.Emitter} in the
 * parent package so that the job never depends on this one.
 */
package dev.warren.streaming.source;
