package dev.callcontrol.http;

/**
 * A request that cannot be served, with the status and a stable machine-readable code. The message
 * is shown to the caller, so it never carries internals or personal data.
 */
public class HttpError extends RuntimeException {
    private final int status;
    private final String code;

    public HttpError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, "bad_request", message);
    }

    public static HttpError unsupportedMediaType(String message) {
        return new HttpError(415, "unsupported_media_type", message);
    }

    /** A dependency failed; the request may be repeated. */
    public static HttpError unavailable() {
        return new HttpError(503, "temporarily_unavailable", "the service could not complete the request; try again");
    }

    /** A 429 {@code rate_limited}, to be repeated after {@code seconds} (the {@code Retry-After} header). */
    public static HttpError rateLimited(String message, long seconds) {
        HttpError error = new HttpError(429, "rate_limited", message);
        error.retryAfterSeconds = seconds;
        return error;
    }

    private long retryAfterSeconds = -1;

    /** Seconds after which the request may be repeated ({@code Retry-After}), or -1 when the answer says nothing of it. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
