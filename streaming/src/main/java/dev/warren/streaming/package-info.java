/**
 * Keyed stream processing on tasklets: events routed by key to shard tasklets that own per-key state
 * and windows. Subpackages: {@code window} (window kinds and aggregators), {@code source},
 * {@code sink}, {@code datapath}.
 */
package dev.warren.streaming;
