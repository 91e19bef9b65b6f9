/**
 * HTTP/1.1 (RFC 9112) on tasklets: {@link dev.warren.net.http.HttpServer} (one tasklet per connection,
 * keep-alive, pipelining, chunked bodies, limits and timeouts answered with their status codes, graceful
 * close), {@link dev.warren.net.http.Router} (method + path patterns, filters) and
 * {@link dev.warren.net.http.HttpClient} (blocking, keep-alive pool per host).
 */
package dev.warren.net.http;
