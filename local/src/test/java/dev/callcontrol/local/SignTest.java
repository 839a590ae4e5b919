package dev.callcontrol.local;

import dev.callcontrol.twilio.SignatureVerifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code local/sign} signs a repeated name over all its values, as Twilio does (issue 19, finding 8). */
class SignTest {
    private static final String URL = "http://127.0.0.1:3000/twilio/conference-events";

    @Test
    void aNameGivenTwiceKeepsBothValues() {
        Map<String, List<String>> form = Sign.parameters(List.of("Tag=b", "CallSid=CA1", "Tag=a", "Flag"));
        assertEquals(Map.of("Tag", List.of("b", "a"), "CallSid", List.of("CA1"), "Flag", List.of("")), form);
    }

    @Test
    void aRepeatedNameIsSignedOverEveryValueNotTheLast() {
        String signed = Sign.signature("local-auth-token", URL, Sign.parameters(List.of("Tag=b", "Tag=a")));
        assertEquals(SignatureVerifier.sign("local-auth-token", URL + "Taga", Map.of("Tag", "b")), signed,
                "the URL, then Tag with each value in order: ...TagaTagb");
        assertEquals(false, signed.equals(SignatureVerifier.sign("local-auth-token", URL, Map.of("Tag", "a"))));
    }
}
