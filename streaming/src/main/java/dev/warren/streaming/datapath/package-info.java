/**
 * Datapaths, ported from Streamline: a request language that builds graphs of stages
 * ({@link dev.warren.streaming.datapath.Datapaths}), the stage plug-in SPI
 * ({@link dev.warren.streaming.datapath.StageType}, found by {@link java.util.ServiceLoader}), and
 * exported named streams read with their own cursors ({@link dev.warren.streaming.datapath.Streams}).
 * The built-in stages live in {@code dev.warren.streaming.datapath.stages}; docs/DATAPATHS.md has the
 * grammar and the design.
 */
package dev.warren.streaming.datapath;
