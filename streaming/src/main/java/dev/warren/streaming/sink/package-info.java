/**
 * Where window results go: the {@link dev.warren.streaming.sink.WindowSink} interface and the built-in
 * callback, channel and JSON-lines sinks ({@link dev.warren.streaming.sink.Sinks}).
 */
package dev.warren.streaming.sink;
