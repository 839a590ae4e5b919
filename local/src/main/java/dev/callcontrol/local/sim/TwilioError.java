package dev.callcontrol.local.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answered the way Twilio's REST API answers it: HTTP status plus {@code code, message, more_info, status}. */
final class TwilioError extends RuntimeException {
    final int status;
    final int code;

    TwilioError(int status, int code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static TwilioError notFound(String path) {
        return new TwilioError(404, 20404, "The requested resource " + path + " was not found");
    }

    static TwilioError invalidParameter(String message) {
        return new TwilioError(400, 20001, message);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", getMessage());
        body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        body.put("status", status);
        return body;
    }
}
