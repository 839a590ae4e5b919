package dev.callcontrol.twilio;

import com.twilio.security.RequestValidator;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.HttpError;

import java.net.URISyntaxException;
import java.util.Map;

/**
 * Checks {@code X-Twilio-Signature}. Twilio signs the URL it called, which behind API Gateway is
 * not the URL the function sees (custom domains, stage prefixes, base64 bodies), so the URL is
 * rebuilt from the configured public base URL, the request path and the raw query string.
 */
public final class SignatureVerifier {
    public static final String HEADER = "X-Twilio-Signature";

    private final RequestValidator validator;
    private final String publicBaseUrl;

    public SignatureVerifier(String authToken, String publicBaseUrl) {
        this.validator = new RequestValidator(authToken);
        this.publicBaseUrl = publicBaseUrl;
    }

    /** The URL Twilio signed for this request. */
    public String signedUrl(ApiRequest request) {
        String query = request.rawQueryString();
        return publicBaseUrl + request.path() + (query.isEmpty() ? "" : "?" + query);
    }

    public boolean isValid(ApiRequest request) {
        String signature = request.header(HEADER);
        if (signature == null || signature.isBlank()) {
            return false;
        }
        String url = signedUrl(request);
        if (request.queryParameter("bodySHA256") != null) {
            // JSON webhooks: the body's SHA-256 rides in the signed URL and the body is checked against it.
            try {
                return validator.validate(url, request.body(), signature);
            } catch (URISyntaxException e) {
                return false;
            }
        }
        Map<String, String> parameters = Map.of();
        if ("POST".equals(request.method()) && !request.body().isEmpty()) {
            // Twilio signs form posts only; any other body without bodySHA256 cannot carry a valid signature.
            if (!"application/x-www-form-urlencoded".equals(request.mediaType())) {
                return false;
            }
            try {
                parameters = request.form();
            } catch (HttpError malformed) {
                return false;
            }
        }
        return validator.validate(url, parameters, signature);
    }
}
