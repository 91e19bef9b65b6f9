/**
 * Networking on tasklets: TCP servers and clients where each connection is a tasklet reading its socket
 * in blocking style, buffered connections, and UDP receivers. Subpackages: {@code frame}
 * (length-prefixed messages), {@code http} (HTTP/1.1), {@code admin} (observability endpoints).
 */
package dev.warren.net;
