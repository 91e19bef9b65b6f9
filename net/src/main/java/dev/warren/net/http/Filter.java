package dev.warren.net.http;

/**
 * Middleware around a {@link Router}'s handlers: logging, authentication, headers added to every
 * response. A filter may answer by itself (not calling {@code next}) or change the response it gets back.
 *
 * <pre>{@code
 * Filter poweredBy = (req, next) -> next.handle(req).header("X-Powered-By", "warren");
 * }</pre>
 */
@FunctionalInterface
public interface Filter {
    /**
     * Handles {@code request}, usually by calling {@code next} and returning (or changing) its response.
     *
     * @param request the request
     * @param next the rest of the chain: the next filter, or the matched handler (or the 404/405 answer)
     */
    Response filter(Request request, HttpHandler next) throws Exception;
}
