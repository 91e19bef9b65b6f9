/**
 * Window kinds ({@link dev.warren.streaming.window.Windows}) and the aggregators that fold a window's
 * events ({@link dev.warren.streaming.window.Aggregators}, or your own
 * {@link dev.warren.streaming.window.Aggregator}).
 */
package dev.warren.streaming.window;
