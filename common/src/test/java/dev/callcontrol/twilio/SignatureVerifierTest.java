package dev.callcontrol.twilio;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignatureVerifierTest {
    private static final String TOKEN = "12345";
    private static final String BASE = "https://mycompany.com";
    private final SignatureVerifier verifier = new SignatureVerifier(TOKEN, BASE);

    private static Map<String, String> params() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("CallSid", "CA1234567890ABCDE");
        params.put("Caller", "+12349013030");
        params.put("Digits", "1234");
        params.put("From", "+12349013030");
        params.put("To", "+18005551212");
        return params;
    }

    private static APIGatewayV2HTTPEvent post(String path, String query, Map<String, String> form, String signature) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        if (signature != null) {
            headers.put("x-twilio-signature", signature);
        }
        return APIGatewayV2HTTPEvent.builder()
                .withRawPath(path).withRawQueryString(query).withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build()).build())
                .withBody(Webhooks.encode(form)).build();
    }

    @Test
    void signProducesWhatTwilioJavasValidatorAccepts() {
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        String signature = SignatureVerifier.sign(TOKEN, url, params());
        assertTrue(new com.twilio.security.RequestValidator(TOKEN).validate(url, params(), signature));
        assertFalse(new com.twilio.security.RequestValidator("other").validate(url, params(), signature));
    }

    @Test
    void validSignatureIsAccepted() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/myapp.php?foo=1&bar=2", params());
        assertTrue(verifier.isValid(ApiRequest.from(post("/myapp.php", "foo=1&bar=2", params(), signature))));
    }

    @Test
    void tamperedParameterIsRefused() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/myapp.php", params());
        Map<String, String> tampered = params();
        tampered.put("To", "+18005550000");
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", tampered, signature))));
    }

    @Test
    void addedParameterIsRefused() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/myapp.php", params());
        Map<String, String> added = params();
        added.put("Hold", "true");
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", added, signature))));
    }

    @Test
    void signatureForAnotherUrlIsRefused() {
        String signature = SignatureVerifier.sign(TOKEN, "https://attacker.example/myapp.php", params());
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", params(), signature))));
        String otherPath = SignatureVerifier.sign(TOKEN, BASE + "/other.php", params());
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", params(), otherPath))));
    }

    @Test
    void missingHeaderIsRefused() {
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", params(), null))));
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", params(), ""))));
    }

    @Test
    void wrongTokenIsRefused() {
        String signature = SignatureVerifier.sign("another-token", BASE + "/myapp.php", params());
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "", params(), signature))));
    }

    @Test
    void jsonBodiesAreCheckedAgainstTheirSignedHash() throws Exception {
        String body = "{\"property\":\"value\",\"boolean\":true}";
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        String query = "bodySHA256=" + hash;
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/json?" + query, Map.of());
        APIGatewayV2HTTPEvent event = post("/json", query, Map.of(), signature);
        event.getHeaders().put("content-type", "application/json");
        event.setBody(body);
        assertTrue(verifier.isValid(ApiRequest.from(event)));
        event.setBody(body.replace("true", "false"));
        assertFalse(verifier.isValid(ApiRequest.from(event)));
    }

    @Test
    void customDomainBasePathIsNotCountedTwice() {
        SignatureVerifier mapped = new SignatureVerifier(TOKEN, "https://api.example.com/cc");
        String signature = SignatureVerifier.sign(TOKEN, "https://api.example.com/cc/twilio/assignment", params());
        assertTrue(mapped.isValid(ApiRequest.from(post("/cc/twilio/assignment", "", params(), signature))), "mapping key kept in rawPath");
        assertTrue(mapped.isValid(ApiRequest.from(post("/twilio/assignment", "", params(), signature))), "mapping key removed from rawPath");
    }

    @Test
    void malformedQueryStringIsRefusedNotThrown() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/myapp.php?a=%zz", params());
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "a=%zz", params(), signature))));
    }

    @Test
    void nonFormBodyWithoutBodyHashIsRefused() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/json", Map.of());
        APIGatewayV2HTTPEvent event = post("/json", "", Map.of(), signature);
        event.getHeaders().put("content-type", "application/json");
        event.setBody("{\"x\":1}");
        assertFalse(verifier.isValid(ApiRequest.from(event)));
    }

    @Test
    void aUrlHandedOutWithConnectionOverridesVerifiesWhetherTwilioSignsItsFragmentOrNot() {
        // The fragment never reaches the function: the request has the path and query only.
        for (String fragment : WebhookUrls.FRAGMENTS) {
            String handedOut = BASE + "/twilio/call-events?call=WT1&task=WT2#" + fragment;
            String withFragment = SignatureVerifier.sign(TOKEN, handedOut, params());
            String withoutFragment = SignatureVerifier.sign(TOKEN, WebhookUrls.withoutFragment(handedOut), params());
            assertTrue(verifier.isValid(ApiRequest.from(post("/twilio/call-events", "call=WT1&task=WT2", params(), withFragment))),
                    "signed as handed to Twilio, fragment and all: " + fragment);
            assertTrue(verifier.isValid(ApiRequest.from(post("/twilio/call-events", "call=WT1&task=WT2", params(), withoutFragment))),
                    "signed as requested, without the fragment");
        }
    }

    @Test
    void aGetWithConnectionOverridesVerifiesWithTwilioParametersInTheQueryAndTheFragmentLast() {
        // A GET's parameters go into the query, before the fragment: hold music is fetched so.
        String query = "AccountSid=AC1&CallSid=CA1";
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/twilio/hold-music?" + query + "#" + WebhookUrls.RETRIES, Map.of());
        APIGatewayV2HTTPEvent event = post("/twilio/hold-music", query, Map.of(), signature);
        event.getRequestContext().getHttp().setMethod("GET");
        event.setBody(null);
        assertTrue(verifier.isValid(ApiRequest.from(event)));
    }

    @Test
    void aFragmentTheProductNeverHandsOutDoesNotVerify() {
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/twilio/call-events#rc=5&rp=all", params());
        assertFalse(verifier.isValid(ApiRequest.from(post("/twilio/call-events", "", params(), signature))));
        String tampered = SignatureVerifier.sign(TOKEN, BASE + "/twilio/call-events#" + WebhookUrls.RETRIES, params());
        Map<String, String> changed = params();
        changed.put("To", "+18005550000");
        assertFalse(verifier.isValid(ApiRequest.from(post("/twilio/call-events", "", changed, tampered))), "the fragment does not loosen the parameters' check");
    }

    @Test
    void aJsonBodyOnAUrlWithConnectionOverridesIsCheckedAgainstItsHash() throws Exception {
        String body = "{\"property\":\"value\"}";
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        String query = "bodySHA256=" + hash;
        String signature = SignatureVerifier.sign(TOKEN, BASE + "/json?" + query + "#" + WebhookUrls.RETRIES, Map.of());
        APIGatewayV2HTTPEvent event = post("/json", query, Map.of(), signature);
        event.getHeaders().put("content-type", "application/json");
        event.setBody(body);
        assertTrue(verifier.isValid(ApiRequest.from(event)));
        event.setBody("{}");
        assertFalse(verifier.isValid(ApiRequest.from(event)));
    }

    // Issue 19, finding 8: a repeated form parameter, signed the way Twilio signs it.

    /** HMAC-SHA1 over {@code data}, computed here rather than through the code under test. */
    private static String hmac(String token, String data) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return java.util.Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    private static APIGatewayV2HTTPEvent postBody(String path, String body, String signature) {
        APIGatewayV2HTTPEvent event = post(path, "", Map.of(), signature);
        event.setBody(body);
        return event;
    }

    @Test
    void aRepeatedParameterIsVerifiedOverAllItsValuesAsTwilioSignsIt() throws Exception {
        // twilio-node (src/webhooks/webhooks.ts): names sorted; a repeated name adds each distinct value, sorted.
        String body = "To=%2B18005551212&Tag=b&CallSid=CA1&Tag=a&Tag=b";
        String signature = hmac(TOKEN, BASE + "/twilio/call-events" + "CallSidCA1" + "TagaTagb" + "To+18005551212");
        assertTrue(verifier.isValid(ApiRequest.from(postBody("/twilio/call-events", body, signature))));
        assertEquals(signature, SignatureVerifier.signForm(TOKEN, BASE + "/twilio/call-events",
                Map.of("To", java.util.List.of("+18005551212"), "Tag", java.util.List.of("b", "a", "b"), "CallSid", java.util.List.of("CA1"))));
    }

    @Test
    void aSignatureOverOnlyTheFirstOfARepeatedParametersValuesIsRefused() throws Exception {
        String body = "CallSid=CA1&Tag=a&Tag=injected";
        String firstOnly = hmac(TOKEN, BASE + "/twilio/call-events" + "CallSidCA1" + "Taga");
        assertFalse(verifier.isValid(ApiRequest.from(postBody("/twilio/call-events", body, firstOnly))));
        String lastOnly = hmac(TOKEN, BASE + "/twilio/call-events" + "CallSidCA1" + "Taginjected");
        assertFalse(verifier.isValid(ApiRequest.from(postBody("/twilio/call-events", body, lastOnly))));
    }

    // Issue 19, finding 2: the secondary auth token during a rotation.

    @Test
    void aSignatureWithEitherTokenIsAcceptedAndNoOther() {
        SignatureVerifier both = new SignatureVerifier(java.util.List.of(TOKEN, "secondary"), BASE);
        for (String token : java.util.List.of(TOKEN, "secondary")) {
            String signature = SignatureVerifier.sign(token, BASE + "/myapp.php?foo=1&bar=2", params());
            assertTrue(both.isValid(ApiRequest.from(post("/myapp.php", "foo=1&bar=2", params(), signature))), token);
        }
        String other = SignatureVerifier.sign("revoked", BASE + "/myapp.php?foo=1&bar=2", params());
        assertFalse(both.isValid(ApiRequest.from(post("/myapp.php", "foo=1&bar=2", params(), other))));
        assertFalse(verifier.isValid(ApiRequest.from(post("/myapp.php", "foo=1&bar=2", params(),
                SignatureVerifier.sign("secondary", BASE + "/myapp.php?foo=1&bar=2", params())))), "one token: the secondary's signature fails");
    }
}
