package dev.callcontrol.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values (maps in the document's order, lists, strings, numbers, booleans,
 * {@code null}) through Jackson's streaming parser and generator alone, for the paths whose cold
 * start cannot afford Jackson's object mapper: building one and its first tree or binding loads
 * some 500 classes, about 0.17 s on one core (docs/performance.md). It reads as strictly as
 * {@link Json#MAPPER}: one document with nothing after it, and no key twice in an object. Numbers
 * come back as Jackson's tree gives them: Integer, Long or BigInteger, and Double.
 */
public final class JsonValues {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // A character outside the basic plane (an emoji) written as itself, as the mapper's text output does, not as two escapes.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private JsonValues() {
    }

    /** One JSON document; a {@link JsonProcessingException} when it is not exactly one. */
    public static Object parse(InputStream input) throws IOException {
        try (JsonParser parser = FACTORY.createParser(input)) {
            return document(parser);
        }
    }

    public static Object parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            return document(parser);
        }
    }

    /**
     * The JSON object in {@code text}, or a 400 naming {@code what} was missing, malformed or not
     * an object (the messages of {@link Json#parse}).
     */
    public static Map<String, Object> parseObject(String text, String what) {
        if (text == null || text.isBlank()) {
            throw HttpError.badRequest(what + " is missing");
        }
        Object value;
        try {
            value = parse(text);
        } catch (IOException e) {
            throw HttpError.badRequest(what + " is not valid JSON");
        }
        if (!(value instanceof Map<?, ?>)) {
            throw HttpError.badRequest(what + " must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    private static Object document(JsonParser parser) throws IOException {
        if (parser.nextToken() == null) {
            throw new JsonParseException(parser, "no JSON document");
        }
        Object value = value(parser);
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "more than one JSON document");
        }
        return value;
    }

    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.put(name, value(parser));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(parser));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(parser, "unexpected " + token);
        }
    }

    /** {@code value} as compact JSON text. */
    public static String write(Object value) {
        return text(value, true);
    }

    /**
     * {@code value} as compact JSON text, leaving out every map entry whose value is null: how the
     * agent API writes its bodies and the product its task attributes ({@link Json#MAPPER}'s
     * {@code NON_NULL} inclusion did the same). Nulls in lists stay.
     */
    public static String writeWithoutNulls(Object value) {
        return text(value, false);
    }

    private static String text(Object value, boolean nullEntries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = generator(out)) {
            write(json, value, nullEntries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static JsonGenerator generator(OutputStream output) throws IOException {
        return FACTORY.createGenerator(output, JsonEncoding.UTF8);
    }

    /** Writes a value made of maps, lists, strings, numbers, booleans, enums (by name) and {@code null}. */
    public static void write(JsonGenerator json, Object value) throws IOException {
        write(json, value, true);
    }

    private static void write(JsonGenerator json, Object value, boolean nullEntries) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case String text -> json.writeString(text);
            case Boolean bool -> json.writeBoolean(bool);
            case Integer number -> json.writeNumber(number);
            case Long number -> json.writeNumber(number);
            case BigInteger number -> json.writeNumber(number);
            case Double number -> json.writeNumber(number);
            case BigDecimal number -> json.writeNumber(number);
            case Enum<?> constant -> json.writeString(constant.name());
            case Map<?, ?> object -> {
                json.writeStartObject();
                for (Map.Entry<?, ?> field : object.entrySet()) {
                    if (field.getValue() != null || nullEntries) {
                        json.writeFieldName(String.valueOf(field.getKey()));
                        write(json, field.getValue(), nullEntries);
                    }
                }
                json.writeEndObject();
            }
            case List<?> array -> {
                json.writeStartArray();
                for (Object item : array) {
                    write(json, item, nullEntries);
                }
                json.writeEndArray();
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** How Jackson's tree prints a scalar as text ({@code JsonNode.asText}): numbers and booleans too. */
    public static String asText(Object scalar) {
        return scalar instanceof Double number ? Double.toString(number) : String.valueOf(scalar);
    }
}
