package dev.callcontrol.fuzz;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.HttpError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * {@link ApiRequest#from} on API Gateway events with fuzzed method, stage, path, headers, query
 * string, path parameters, claims and body (plain or base64, any content type), then every
 * accessor. Only {@link HttpError} 400, 413 or 415 may escape. Forms and query strings encoded from
 * known pairs must parse back to exactly those pairs; headers are found whatever their case; a
 * base64 body decodes to exactly its bytes.
 */
class ApiRequestFuzzTest {
    private static final String[] NAMES = {"TaskSid", "CallSid", "bodySHA256", "call", "worker", "a", ""};
    private static final String[] HEADERS = {"Content-Type", "content-type", "X-Twilio-Signature", "Idempotency-Key", "CONTENT-TYPE"};
    private static final String[] STAGES = {"$default", "prod", "", "twilio"};
    private static final Pattern SID = Pattern.compile("^WT[0-9a-fA-F]{32}$");

    @FuzzTest(maxDuration = "10m")
    void apiRequest(FuzzedDataProvider data) {
        boolean structured = data.consumeBoolean();
        String method = Fuzz.oneOf(data, new String[]{"POST", "get", "Post", "", " "}, 8);
        String stage = data.consumeBoolean() ? null : Fuzz.oneOf(data, STAGES, 10);
        String rawPath = data.consumeBoolean() ? null : data.consumeString(40);

        List<Map.Entry<String, String>> queryPairs = structured ? Fuzz.pairs(data, NAMES, 4) : List.of();
        String rawQuery = structured ? Fuzz.urlEncoded(queryPairs) : (data.consumeBoolean() ? null : data.consumeString(60));

        Map<String, String> headers = null;
        if (data.consumeBoolean()) {
            headers = new LinkedHashMap<>();
            int count = data.consumeInt(0, 4);
            for (int i = 0; i < count; i++) {
                String name = Fuzz.oneOf(data, HEADERS, 20);
                headers.put(name, data.consumeBoolean() ? Fuzz.oneOf(data, Fuzz.CONTENT_TYPES, 40) : null);
            }
        }
        Map<String, String> pathParameters = null;
        if (data.consumeBoolean()) {
            pathParameters = new HashMap<>();
            pathParameters.put(data.consumeString(10), data.consumeBoolean() ? null : data.consumeString(40));
        }
        Map<String, String> claims = null;
        if (data.consumeBoolean()) {
            claims = new HashMap<>();
            claims.put(data.consumeString(20), data.consumeBoolean() ? null : data.consumeString(40));
        }

        List<Map.Entry<String, String>> formPairs = structured ? Fuzz.pairs(data, NAMES, 6) : List.of();
        boolean base64 = data.consumeBoolean();
        byte[] bodyBytes;
        String body;
        if (structured) {
            bodyBytes = Fuzz.urlEncoded(formPairs).getBytes(StandardCharsets.UTF_8);
            body = base64 ? Base64.getEncoder().encodeToString(bodyBytes) : new String(bodyBytes, StandardCharsets.UTF_8);
        } else if (base64 && data.consumeBoolean()) {
            bodyBytes = data.consumeBytes(200);
            body = Base64.getEncoder().encodeToString(bodyBytes);
        } else {
            bodyBytes = null;
            body = data.consumeBoolean() ? null : data.consumeRemainingAsString();
        }

        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).build();
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withRawPath(rawPath)
                .withRawQueryString(rawQuery)
                .withHeaders(headers)
                .withPathParameters(pathParameters)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withStage(stage)
                        .withHttp(http)
                        .withAuthorizer(claims == null ? null : APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(claims).build())
                                .build())
                        .build())
                .withBody(body)
                .withIsBase64Encoded(base64)
                .build();

        ApiRequest request;
        try {
            request = ApiRequest.from(event);
        } catch (HttpError e) {
            expectStatus(e, 400, 413);
            return;
        }

        check(!request.method().isBlank() && request.method().equals(request.method().toUpperCase(Locale.ROOT)),
                "method '" + request.method() + "' is not upper case");
        check(request.path() != null, "no path");
        String expectedPath = rawPath == null ? "/" : rawPath;
        if (stage != null && !stage.isEmpty() && !"$default".equals(stage)) {
            if (expectedPath.equals("/" + stage)) {
                expectedPath = "/";
            } else if (expectedPath.startsWith("/" + stage + "/")) {
                expectedPath = expectedPath.substring(stage.length() + 1);
            }
        }
        equal(expectedPath, request.path(), "path without the stage " + stage);
        check(request.rawQueryString() != null, "no raw query string");
        if (headers != null) {
            Map<String, String> lowered = new HashMap<>();
            headers.forEach((name, value) -> {
                if (value != null) {
                    lowered.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
            lowered.forEach((name, value) -> {
                equal(value, request.header(name), "header " + name);
                if (name.chars().allMatch(c -> c < 128)) {
                    // Header names are ASCII tokens; Unicode case mappings need not round-trip.
                    equal(value, request.header(name.toUpperCase(Locale.ROOT)), "header " + name + " in upper case");
                }
            });
        }
        String mediaType = request.mediaType();
        check(mediaType.equals(mediaType.trim().toLowerCase(Locale.ROOT)) && !mediaType.contains(";"),
                "media type '" + mediaType + "' not normalised");
        check(request.claims() != null, "no claims");
        if (pathParameters != null) {
            pathParameters.forEach((name, value) -> {
                if (value != null) {
                    equal(value, request.pathParameter(name), "path parameter " + name);
                }
            });
        }

        String decoded = request.body();
        check(decoded != null, "no body");
        if (bodyBytes != null) {
            check(decoded.getBytes(StandardCharsets.UTF_8).length == bodyBytes.length
                            && java.util.Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), bodyBytes),
                    "base64 body did not decode to its bytes");
        } else if (!base64) {
            equal(body == null ? "" : body, decoded, "plain body");
        }
        check(decoded.getBytes(StandardCharsets.UTF_8).length <= ApiRequest.MAX_BODY_BYTES || !base64,
                "a base64 body over the limit was accepted");

        try {
            Map<String, List<String>> query = request.queryParameters();
            if (structured) {
                equal(grouped(queryPairs), query, "query parameters");
            }
            for (String name : NAMES) {
                String first = request.queryParameter(name);
                List<String> all = query.get(name);
                equal(all == null ? null : all.get(0), first, "first query parameter " + name);
            }
            try {
                String sid = request.queryParameter("call", SID);
                check(SID.matcher(sid).matches(), "queryParameter returned an unmatched value");
            } catch (HttpError e) {
                expectStatus(e, 400);
            }
        } catch (HttpError e) {
            expectStatus(e, 400);
            check(!structured, "an encoded query string was refused: " + e.getMessage());
        }

        try {
            Map<String, List<String>> form = request.formParameters();
            if (structured && "application/x-www-form-urlencoded".equals(mediaType)) {
                equal(grouped(formPairs), form, "form parameters");
            }
            Map<String, String> single = request.form();
            form.forEach((name, values) -> equal(values.get(0), single.get(name), "form " + name));
        } catch (HttpError e) {
            expectStatus(e, 400, 415);
            check(!(structured && "application/x-www-form-urlencoded".equals(mediaType)), "an encoded form was refused: " + e.getMessage());
        }

        try {
            Map<String, Object> json = request.jsonBody();
            check(json != null, "jsonBody returned nothing");
        } catch (HttpError e) {
            expectStatus(e, 400, 415);
        }
    }

    private static Map<String, List<String>> grouped(List<Map.Entry<String, String>> pairs) {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            grouped.computeIfAbsent(pair.getKey(), k -> new ArrayList<>()).add(pair.getValue());
        }
        return grouped;
    }
}
