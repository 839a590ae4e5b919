package dev.callcontrol.twilio;

import com.twilio.security.RequestValidator;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.HttpError;

import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code X-Twilio-Signature}. Twilio signs the URL it called, which behind API Gateway is
 * not the URL the function sees (custom domains, stage prefixes, base64 bodies), so the URL is
 * rebuilt from the configured public base URL, the request path and the raw query string.
 *
 * <p>The product's callback URLs carry connection overrides in their fragment
 * ({@link WebhookUrls}), which no request brings: a fragment never goes on the wire. Twilio does
 * not document whether it signs the URL with the fragment it was given (twilio-java's and
 * twilio-node's validators keep a fragment when the URL handed to them has one) or the URL it
 * requests, so a signature over either is accepted: the URL as rebuilt, or the URL followed by one
 * of the fragments the product hands out ({@link WebhookUrls#FRAGMENTS}).
 *
 * <p>A signature made with any of the tokens is accepted: the auth token and, while a rotation is
 * under way, Twilio's secondary auth token ({@code TWILIO_SECONDARY_AUTH_TOKEN}), so that a function
 * keeps accepting webhooks whichever of the two Twilio signs with (docs/decisions.md).
 *
 * <p>A form parameter that appears more than once is signed as Twilio's own validators compute it
 * (twilio-node's {@code getExpectedTwilioSignature}, src/webhooks/webhooks.ts): names sorted, and
 * for a repeated name each of its distinct values, sorted, as name followed by value.
 */
public final class SignatureVerifier {
    public static final String HEADER = "X-Twilio-Signature";

    private final java.util.function.Supplier<List<String>> tokens;
    private final String publicBaseUrl;
    private final String origin;
    private final String basePath;

    private final List<String> fragments;

    public SignatureVerifier(String authToken, String publicBaseUrl) {
        this(authToken, publicBaseUrl, WebhookUrls.FRAGMENTS);
    }

    /** @param fragments the fragments (without {@code #}) that a signed URL may end with */
    public SignatureVerifier(String authToken, String publicBaseUrl, List<String> fragments) {
        this(List.of(authToken), publicBaseUrl, fragments);
    }

    /** @param tokens the tokens a valid signature may be made with: the auth token, then the secondary, if any */
    public SignatureVerifier(List<String> tokens, String publicBaseUrl) {
        this(tokens, publicBaseUrl, WebhookUrls.FRAGMENTS);
    }

    public SignatureVerifier(List<String> tokens, String publicBaseUrl, List<String> fragments) {
        this(constant(tokens), publicBaseUrl, fragments);
    }

    /**
     * @param tokens asked for the tokens on every check, so that tokens loaded again (after a
     *               SnapStart restore, or once a signature failed) count at once
     */
    public SignatureVerifier(java.util.function.Supplier<List<String>> tokens, String publicBaseUrl, List<String> fragments) {
        this.fragments = List.copyOf(fragments);
        this.tokens = tokens;
        this.publicBaseUrl = publicBaseUrl;
        java.net.URI uri = java.net.URI.create(publicBaseUrl);
        this.basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.origin = publicBaseUrl.substring(0, publicBaseUrl.length() - basePath.length());
    }

    /**
     * What Twilio puts in {@value #HEADER} for a form request: Base64(HMAC-SHA1(auth token, URL
     * followed by each parameter's name and value, sorted by name)). Used by the local simulator and
     * tests to send the webhooks Twilio would send; verification itself is twilio-java's.
     */
    public static String sign(String authToken, String url, Map<String, String> parameters) {
        StringBuilder data = new StringBuilder(url);
        new java.util.TreeMap<>(parameters).forEach((name, value) -> data.append(name).append(value));
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(authToken.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] digest = mac.doFinal(data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }

    private static java.util.function.Supplier<List<String>> constant(List<String> tokens) {
        List<String> copy = tokens.stream().filter(t -> t != null && !t.isEmpty()).toList();
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no auth token to check signatures with");
        }
        return () -> copy;
    }

    /**
     * What Twilio signs for a form whose parameters may repeat: the URL, then for each name in order
     * each of its distinct values in order, as name followed by value (twilio-node's
     * {@code toFormUrlEncodedParam}). For a form without repeated names this is {@link #sign}.
     */
    public static String signForm(String authToken, String url, Map<String, List<String>> parameters) {
        return sign(authToken, url, joined(parameters));
    }

    /**
     * The form as a map of one value per name that makes twilio-java's validator, which appends
     * each sorted name and its value, append exactly what Twilio signs: a repeated name's distinct
     * sorted values {@code v1, v2} become {@code v1 + name + v2}, so {@code name + value} reads
     * {@code name v1 name v2}.
     */
    static Map<String, String> joined(Map<String, List<String>> parameters) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        parameters.forEach((name, values) -> {
            List<String> distinct = new java.util.TreeSet<>(values).stream().toList();
            out.put(name, distinct.isEmpty() ? "" : String.join(name, distinct));
        });
        return out;
    }

    /** The URL Twilio requested: what it signed, unless it signed the fragment too. */
    public String signedUrl(ApiRequest request) {
        String query = request.rawQueryString();
        String path = request.path();
        // A custom domain's API mapping key stays in the path HTTP APIs pass on; do not add it twice.
        String base = !basePath.isEmpty() && path.startsWith(basePath + "/") ? origin : publicBaseUrl;
        return base + path + (query.isEmpty() ? "" : "?" + query);
    }

    public boolean isValid(ApiRequest request) {
        String signature = request.header(HEADER);
        if (signature == null || signature.isBlank()) {
            return false;
        }
        String url = signedUrl(request);
        String bodyHash;
        try {
            bodyHash = request.queryParameter("bodySHA256");
        } catch (HttpError malformedQuery) {
            return false;
        }
        if (bodyHash != null) {
            // JSON webhooks: the body's SHA-256 rides in the signed URL and the body is checked against it.
            try {
                for (String token : tokens.get()) {
                    RequestValidator validator = new RequestValidator(token);
                    for (String candidate : candidates(url)) {
                        if (validator.validate(candidate, request.body(), signature)) {
                            return true;
                        }
                    }
                }
                return false;
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
                parameters = joined(request.formParameters());
            } catch (HttpError malformed) {
                return false;
            }
        }
        for (String token : tokens.get()) {
            RequestValidator validator = new RequestValidator(token);
            for (String candidate : candidates(url)) {
                if (validator.validate(candidate, parameters, signature)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The URLs Twilio may have signed for a request to {@code url}: it alone, then with each fragment. */
    private List<String> candidates(String url) {
        List<String> out = new ArrayList<>(fragments.size() + 1);
        out.add(url);
        for (String fragment : fragments) {
            out.add(url + "#" + fragment);
        }
        return out;
    }
}
