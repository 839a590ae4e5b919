package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.twilio.SignatureVerifier;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * {@link SignatureVerifier#isValid} never throws and accepts a request only when it was signed
 * with the auth token over what the request carries. A request is built as Twilio would send it
 * (form post, GET, or JSON with {@code bodySHA256}; behind a named stage or a custom domain's
 * mapping key; base64 or plain) and signed with the right token over the URL Twilio called: it
 * must verify, and the URL rebuilt from it must be the one Twilio called. The same signature must
 * then fail on the request with its path, query or a form value changed, a parameter added, a JSON
 * body changed, or with a signature made with another token or fuzzed. Fully fuzzed requests
 * (any body, content type, query and signature) must never verify.
 */
class SignatureFuzzTest {
    private static final String TOKEN = "fuzz-auth-token-0123456789abcdef";
    private static final String[] BASES = {"https://calls.example.com", "https://calls.example.com/prod", "http://127.0.0.1:3000"};
    private static final String[] NAMES = {"CallSid", "AccountSid", "TaskSid", "call", "worker", "bodySHA256", "a", ""};
    private static final String FORM = "application/x-www-form-urlencoded";

    @FuzzTest(maxDuration = "10m")
    void signature(FuzzedDataProvider data) {
        String base = data.pickValue(BASES);
        SignatureVerifier verifier = new SignatureVerifier(TOKEN, base);
        int mode = data.consumeInt(0, 3);
        if (mode == 0) {
            fuzzed(data, verifier, base);
            return;
        }
        boolean json = mode == 3;
        boolean get = !json && data.consumeBoolean();
        // Twilio calls URLs, so the path is percent-encoded (slashes kept); raw paths are the fuzzed mode's.
        String segment = URLEncoder.encode(data.consumeString(30), StandardCharsets.UTF_8).replace("%2F", "/");
        String path = "/twilio/" + segment;
        List<Map.Entry<String, String>> queryPairs = Fuzz.pairs(data, NAMES, 3);
        queryPairs.removeIf(pair -> pair.getKey().equals("bodySHA256"));
        List<Map.Entry<String, String>> formPairs = get ? List.of() : Fuzz.pairs(data, NAMES, 5);
        String body;
        String contentType;
        if (json) {
            body = Fuzz.utf8(data.consumeString(100));
            contentType = "application/json";
            queryPairs.add(Map.entry("bodySHA256", sha256(body)));
        } else {
            body = get ? "" : Fuzz.urlEncoded(formPairs);
            contentType = data.consumeBoolean() ? FORM : FORM + "; charset=utf-8";
        }
        String query = Fuzz.urlEncoded(queryPairs);
        String called = base + path + (query.isEmpty() ? "" : "?" + query);
        // Signed as Twilio signs a form: each name, and a repeated name with each of its distinct values, sorted.
        Map<String, List<String>> signedParameters = signed(json ? List.of() : formPairs);
        String signature = SignatureVerifier.signForm(TOKEN, called, signedParameters);

        // What API Gateway hands the function: the mapping key or the named stage stays in the raw path.
        String basePath = base.endsWith("/prod") ? "/prod" : "";
        String stage = basePath.isEmpty() ? data.pickValue(new String[]{"$default", null}) : data.pickValue(new String[]{"$default", "prod"});
        boolean base64 = data.consumeBoolean();
        Request valid = new Request(get ? "GET" : "POST", basePath + path, stage, query, contentType, body, base64, signature);

        ApiRequest request = valid.parse();
        if (request == null) {
            return;
        }
        equal(called, verifier.signedUrl(request), "the URL rebuilt from the request");
        check(verifier.isValid(request), "a request signed with the token did not verify: " + valid);

        // The same signature on anything else must fail.
        mustFail(verifier, valid.withPath(basePath + path + "x"), "path changed");
        mustFail(verifier, valid.withQuery(query.isEmpty() ? "z=1" : query + "&z=1"), "query parameter added");
        if (!query.isEmpty()) {
            mustFail(verifier, valid.withQuery(query.substring(0, query.length() - 1)), "query shortened");
        }
        mustFail(verifier, valid.withSignature(SignatureVerifier.signForm(TOKEN + "x", called, signedParameters)), "another token's signature");
        mustFail(verifier, valid.withSignature(null), "no signature");
        mustFail(verifier, valid.withSignature(""), "empty signature");
        String fuzzedSignature = data.consumeString(40);
        if (!fuzzedSignature.equals(signature)) {
            mustFail(verifier, valid.withSignature(fuzzedSignature), "fuzzed signature");
        }
        if (json) {
            mustFail(verifier, valid.withBody(body + "x"), "JSON body changed");
        } else if (!get) {
            if (formPairs.stream().noneMatch(pair -> pair.getKey().equals("added"))) {
                mustFail(verifier, valid.withBody(body.isEmpty() ? "added=1" : body + "&added=1"), "form parameter added");
            }
            if (!formPairs.isEmpty()) {
                int changed = data.consumeInt(0, formPairs.size() - 1);
                String name = formPairs.get(changed).getKey();
                List<Map.Entry<String, String>> altered = new ArrayList<>();
                boolean done = false;
                for (Map.Entry<String, String> pair : formPairs) {
                    // Every value of a name is signed; change its first.
                    if (!done && pair.getKey().equals(name)) {
                        altered.add(Map.entry(name, pair.getValue() + "x"));
                        done = true;
                    } else {
                        altered.add(pair);
                    }
                }
                // Twilio signs a name's distinct values: a change that leaves them the same set is no change.
                if (!signed(altered).equals(signedParameters)) {
                    mustFail(verifier, valid.withBody(Fuzz.urlEncoded(altered)), "form value of " + name + " changed");
                }
            }
        }
    }

    /** Anything at all, signature included: must not throw and, without the token, can never verify. */
    private static void fuzzed(FuzzedDataProvider data, SignatureVerifier verifier, String base) {
        Request request = new Request(
                Fuzz.oneOf(data, new String[]{"POST", "GET", "PUT"}, 6),
                data.consumeBoolean() ? "/twilio/x" : data.consumeString(40),
                data.consumeBoolean() ? null : Fuzz.oneOf(data, new String[]{"$default", "prod"}, 8),
                data.consumeBoolean() ? "bodySHA256=" + data.consumeString(70) : data.consumeString(60),
                Fuzz.oneOf(data, Fuzz.CONTENT_TYPES, 40),
                data.consumeString(200),
                data.consumeBoolean(),
                data.consumeBoolean() ? null : data.consumeRemainingAsString());
        ApiRequest parsed = request.parse();
        if (parsed != null) {
            verifier.signedUrl(parsed);
            check(!verifier.isValid(parsed), "a request nobody signed verified: " + request);
        }
    }

    private static void mustFail(SignatureVerifier verifier, Request request, String change) {
        ApiRequest parsed = request.parse();
        if (parsed != null) {
            check(!verifier.isValid(parsed), "the signature still verified with the " + change + ": " + request);
        }
    }

    private static String sha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Request(String method, String rawPath, String stage, String query, String contentType, String body, boolean base64,
                           String signature) {
        Request withPath(String path) {
            return new Request(method, path, stage, query, contentType, body, base64, signature);
        }

        Request withQuery(String changed) {
            return new Request(method, rawPath, stage, changed, contentType, body, base64, signature);
        }

        Request withBody(String changed) {
            return new Request(method, rawPath, stage, query, contentType, changed, base64, signature);
        }

        Request withSignature(String changed) {
            return new Request(method, rawPath, stage, query, contentType, body, base64, changed);
        }

        /** The request as the function sees it, or null when it is refused before any signature check (a 4xx). */
        ApiRequest parse() {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", contentType);
            if (signature != null) {
                headers.put(SignatureVerifier.HEADER, signature);
            }
            String sent = base64 ? Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) : body;
            try {
                return ApiRequest.from(Fuzz.event(method, rawPath, stage, query, headers, sent, base64));
            } catch (HttpError e) {
                expectStatus(e, 400, 413);
                return null;
            }
        }
    }

    /** A form's pairs as Twilio signs them: names in order, each with its distinct values, sorted. */
    private static Map<String, List<String>> signed(List<Map.Entry<String, String>> pairs) {
        Map<String, java.util.TreeSet<String>> values = new java.util.TreeMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            values.computeIfAbsent(pair.getKey(), k -> new java.util.TreeSet<>()).add(pair.getValue());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        values.forEach((name, distinct) -> out.put(name, List.copyOf(distinct)));
        return out;
    }
}
