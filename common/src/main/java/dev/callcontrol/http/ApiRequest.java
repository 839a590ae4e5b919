package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as the product sees it, built from an API Gateway HTTP API (payload 2.0) event:
 * body decoded (HTTP APIs base64-encode form posts), headers case-insensitive, query and form
 * parameters parsed. Parsing problems become 400/415 {@link HttpError}s, never exceptions that leak.
 */
public final class ApiRequest {
    /** Largest body accepted; Twilio webhooks and agent commands are a few kilobytes. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final String method;
    private final String path;
    private final String rawQueryString;
    private final Map<String, String> headers;
    private final Map<String, String> pathParameters;
    private final Map<String, String> claims;
    private final Map<String, Object> authorizerContext;
    private final String body;
    private Map<String, List<String>> query;
    private Map<String, List<String>> form;
    private Map<String, Object> json;

    private ApiRequest(APIGatewayV2HTTPEvent event) {
        var context = event.getRequestContext();
        String httpMethod = context != null && context.getHttp() != null ? context.getHttp().getMethod() : null;
        if (httpMethod == null || httpMethod.isBlank()) {
            throw HttpError.badRequest("the event has no HTTP method");
        }
        this.method = httpMethod.toUpperCase(Locale.ROOT);
        this.path = stripStage(event.getRawPath() == null ? "/" : event.getRawPath(), context.getStage());
        this.rawQueryString = event.getRawQueryString() == null ? "" : event.getRawQueryString();
        Map<String, String> lowered = new LinkedHashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> {
                if (name != null && value != null) {
                    lowered.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        this.headers = Collections.unmodifiableMap(lowered);
        this.pathParameters = withoutNulls(event.getPathParameters());
        var authorizer = context.getAuthorizer();
        this.claims = authorizer == null || authorizer.getJwt() == null ? Map.of() : withoutNulls(authorizer.getJwt().getClaims());
        this.authorizerContext = authorizer == null || authorizer.getLambda() == null ? Map.of() : withoutNullValues(authorizer.getLambda());
        this.body = decodeBody(event.getBody(), event.getIsBase64Encoded());
    }

    public static ApiRequest from(APIGatewayV2HTTPEvent event) {
        if (event == null) {
            throw HttpError.badRequest("no event");
        }
        return new ApiRequest(event);
    }

    public String method() {
        return method;
    }

    /** The path Twilio or the browser asked for, without the API Gateway stage prefix. */
    public String path() {
        return path;
    }

    public String rawQueryString() {
        return rawQueryString;
    }

    /** A header by case-insensitive name, or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The claims of the JWT that API Gateway's authorizer verified, as the HTTP API passes them
     * (every value a string; arrays as {@code [a b]}). Empty when the route has no authorizer.
     */
    public Map<String, String> claims() {
        return claims;
    }

    /** The context a Lambda authorizer returned ({@code requestContext.authorizer.lambda}); empty without one. */
    public Map<String, Object> authorizerContext() {
        return authorizerContext;
    }

    private static Map<String, Object> withoutNullValues(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((name, value) -> {
            if (name != null && value != null) {
                out.put(name, value);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    public String body() {
        return body;
    }

    /** The media type of the body without parameters, lower case; empty when absent. */
    public String mediaType() {
        String contentType = header("content-type");
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    public Map<String, List<String>> queryParameters() {
        if (query == null) {
            query = parseUrlEncoded(rawQueryString, "query string");
        }
        return query;
    }

    /** A query parameter that must be present and match {@code pattern}, or a 400 naming it. */
    public String queryParameter(String name, java.util.regex.Pattern pattern) {
        String value = queryParameter(name);
        if (value == null || !pattern.matcher(value).matches()) {
            throw HttpError.badRequest("query parameter " + name + " is missing or malformed");
        }
        return value;
    }

    /** A query parameter that may be absent ({@code null}), but when present must match {@code pattern}, or a 400 naming it. */
    public String optionalQueryParameter(String name, java.util.regex.Pattern pattern) {
        return queryParameter(name) == null ? null : queryParameter(name, pattern);
    }

    /** First value of a query parameter, or {@code null}. */
    public String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The form body's parameters, every value kept in order. 415 when the body is not a form. */
    public Map<String, List<String>> formParameters() {
        if (form == null) {
            if (body.isEmpty()) {
                form = Map.of();
            } else if (!"application/x-www-form-urlencoded".equals(mediaType())) {
                throw HttpError.unsupportedMediaType("expected an application/x-www-form-urlencoded body");
            } else {
                form = parseUrlEncoded(body, "form body");
            }
        }
        return form;
    }

    /** The form's parameters with the first value of each, as Twilio's signature validator takes them. */
    public Map<String, String> form() {
        Map<String, String> single = new LinkedHashMap<>();
        formParameters().forEach((name, values) -> single.put(name, values.get(0)));
        return single;
    }

    /**
     * The body as a JSON object, in plain Java values ({@link JsonValues}). 415 when it is declared
     * as something else, 400 when it is missing, malformed or not an object.
     */
    public Map<String, Object> jsonBody() {
        if (json == null) {
            String type = mediaType();
            if (!type.isEmpty() && !"application/json".equals(type)) {
                throw HttpError.unsupportedMediaType("expected an application/json body");
            }
            json = JsonValues.parseObject(body, "the request body");
        }
        return json;
    }

    /** A copy of an event's map; a null name or value (JSON null in the event) is absent, as for headers. */
    private static Map<String, String> withoutNulls(Map<String, String> map) {
        Map<String, String> copy = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((name, value) -> {
                if (name != null && value != null) {
                    copy.put(name, value);
                }
            });
        }
        return Collections.unmodifiableMap(copy);
    }

    private static String stripStage(String rawPath, String stage) {
        // HTTP APIs put a named stage in front of the path; the $default stage adds nothing.
        if (stage != null && !stage.isEmpty() && !"$default".equals(stage)) {
            String prefix = "/" + stage;
            if (rawPath.equals(prefix)) {
                return "/";
            }
            if (rawPath.startsWith(prefix + "/")) {
                return rawPath.substring(prefix.length());
            }
        }
        return rawPath;
    }

    private static String decodeBody(String body, boolean base64) {
        if (body == null) {
            return "";
        }
        if (!base64) {
            // The limit is in bytes as sent (UTF-8), not in characters: a character may take up to four.
            if (body.length() > MAX_BODY_BYTES || utf8Length(body) > MAX_BODY_BYTES) {
                throw new HttpError(413, "payload_too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("the body is marked base64 but is not valid base64");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new HttpError(413, "payload_too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw HttpError.badRequest("the body is not UTF-8 text");
        }
    }

    /** The length of a text in UTF-8 bytes, without encoding it. */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static Map<String, List<String>> parseUrlEncoded(String encoded, String what) {
        if (encoded.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), what);
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), what);
            parameters.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
        }
        parameters.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(parameters);
    }

    private static String decode(String text, String what) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("the " + what + " has a malformed %-escape");
        }
    }
}
