package dev.warren.net.http;

/**
 * Answers one request. A {@link Router} is one; so is any lambda.
 *
 * <p><b>Threading.</b> Called on the tasklet of the request's connection, so it may block freely (read
 * the body, call other services, sleep). Requests of one connection are handled one after another; those
 * of different connections concurrently.
 *
 * <p><b>Errors.</b> An exception becomes a 500 response, logged with the request; the connection stays
 * open when the request was read completely.
 */
@FunctionalInterface
public interface HttpHandler {
    /**
     * Answers {@code request}.
     *
     * @param request the request; its body can be read only during this call
     * @return the response to send, never null
     */
    Response handle(Request request) throws Exception;
}
