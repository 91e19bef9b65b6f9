/**
 * The built-in datapath stages, registered through {@code META-INF/services} like any plug-in: sources
 * ({@code tcpsock}, {@code udpsock}, {@code file}, {@code stdin}, {@code gen}, {@code wakeup}), transforms
 * ({@code compress}, {@code decompress}, {@code lines}, {@code grep}, {@code httpblock}, {@code sample},
 * {@code ratelimit}, {@code head}, {@code count}, {@code hash}, {@code classify}) and sinks ({@code file},
 * {@code stdout}, {@code tcp}, {@code keyed}; {@code export} and {@code boundary} belong to the runtime).
 * Each class's comment gives its options; {@code ./datapath --stages} lists them.
 */
package dev.warren.streaming.datapath.stages;
