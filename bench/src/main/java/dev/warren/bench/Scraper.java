package dev.warren.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code make bench SIDE=metrics}: reads a URL every N ms over one keep-alive connection, as a Prometheus
 * server scrapes a target, until it is killed; fails loudly on anything but 200. One long-lived process,
 * so the load is the scrape itself and not a process started per scrape (a curl every 100 ms costs a
 * 2-core machine more than the rendering it measures).
 *
 * <p>{@code java ... dev.warren.bench.Scraper URL [INTERVAL_MS]}
 */
public final class Scraper {
    private Scraper() {}

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        long interval = args.length > 1 ? Long.parseLong(args[1]) : 100;
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest get =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
        long next = System.nanoTime();
        for (long n = 1; ; n++) {
            HttpResponse<byte[]> r = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("scrape " + n + " of " + uri + " answered " + r.statusCode());
            }
            next += interval * 1_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        }
    }
}
