package dev.callcontrol.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * A JSON object as plain Java values (maps keep the document's order, arrays become lists,
     * numbers keep Jackson's number types), as {@code MAPPER.convertValue(node, Map.class)} gives,
     * without building a map deserializer: its type introspection is a cold start's first
     * reflection-heavy step on the assignment callback's path.
     */
    public static Map<String, Object> toMap(JsonNode object) {
        if (!object.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + object.getNodeType());
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            map.put(field.getKey(), toJava(field.getValue()));
        }
        return map;
    }

    private static Object toJava(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> toMap(node);
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                node.forEach(element -> list.add(toJava(element)));
                yield list;
            }
            case STRING -> node.textValue();
            case NUMBER -> node.numberValue();
            case BOOLEAN -> node.booleanValue();
            case BINARY, POJO -> throw new IllegalArgumentException("not a parsed JSON value: " + node.getNodeType());
            case NULL, MISSING -> null;
        };
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
