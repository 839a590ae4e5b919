package dev.callcontrol.agent;

import dev.callcontrol.http.HttpError;

/** A call-control operation that cannot go on, with the status and code the caller sees. */
public class CallControlException extends HttpError {
    public CallControlException(int status, String code, String message) {
        super(status, code, message);
    }

    public static CallControlException notFound(String message) {
        return new CallControlException(404, "unknown_task", message);
    }

    public static CallControlException conflict(String code, String message) {
        return new CallControlException(409, code, message);
    }

    public static CallControlException forbidden(String message) {
        return new CallControlException(403, "not_allowed", message);
    }

    /** Twilio failed or was unreachable: the request may be repeated. */
    public static CallControlException upstream(String message) {
        return new CallControlException(502, "twilio_unavailable", message);
    }
}
