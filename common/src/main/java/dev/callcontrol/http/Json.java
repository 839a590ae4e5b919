package dev.callcontrol.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapper of the product: built once per container, thread-safe. It reads strictly:
 * a document followed by anything but whitespace, or an object naming a key twice (which parsers
 * resolve differently, so a check and the code after it could read different values), is malformed.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // One document, nothing after it ("{}x" and "6]" are not JSON), and no key twice.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a JSON document, or fails with a 400 naming {@code what} was malformed. */
    public static JsonNode parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw HttpError.badRequest(what + " is missing");
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest(what + " is not valid JSON");
        }
    }
}
