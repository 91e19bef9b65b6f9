/**
 * The input side of a job: the {@link dev.warren.streaming.source.Source} interface (a source is a
 * tasklet that pushes records into an {@link Emitter}), the {@link Backpressure} a source applies when
 * a shard is full, its counters ({@link SourceStats}), and the built-in sources
 * ({@link dev.warren.streaming.source.Sources}). This package does not depend on the job itself, so a
 * source can be written, and tested, against an {@code Emitter} alone.
 */
package dev.warren.streaming.source;
