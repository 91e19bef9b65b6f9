/**
 * Where a job's raw records come from: the {@link dev.warren.streaming.source.Source} interface (a source
 * is a tasklet that pushes records into an {@link dev.warren.streaming.Emitter}) and the built-in line
 * sources ({@link dev.warren.streaming.source.Sources}).
 */
package dev.warren.streaming.source;
