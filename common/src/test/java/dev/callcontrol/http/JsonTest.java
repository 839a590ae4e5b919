package dev.callcontrol.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void anObjectBecomesTheSameJavaValuesAsJacksonsConversion() throws Exception {
        String text = """
                {"call_sid":"CA1","called":"+15005550006","skills":["en","fr"],"level":3,"big":12345678901,
                 "huge":123456789012345678901234567890,"ratio":0.5,"vip":true,"note":null,
                 "transfer":{"call_task_sid":"WT1","nested":[{"a":[]},{}]}}""";

        Map<String, Object> map = JsonValues.parseObject(text, "attributes");

        assertEquals(Json.MAPPER.convertValue(Json.MAPPER.readTree(text), Map.class), map);
        assertEquals(List.of("call_sid", "called", "skills", "level", "big", "huge", "ratio", "vip", "note", "transfer"),
                List.copyOf(map.keySet()), "the document's order");
        assertEquals(Integer.class, map.get("level").getClass());
        assertEquals(Long.class, map.get("big").getClass());
        assertEquals(BigInteger.class, map.get("huge").getClass());
        assertEquals(Double.class, map.get("ratio").getClass());
        assertEquals(true, map.containsKey("note"));
    }

    @Test
    void theStreamingReaderGivesWhatJacksonsTreeGivesAndWritesItBack() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            String text = object(random, 0).toString();
            Object streamed = JsonValues.parse(text);

            assertEquals(Json.MAPPER.convertValue(Json.MAPPER.readTree(text), Object.class), streamed, text);
            assertEquals(Json.MAPPER.readTree(text), Json.MAPPER.readTree(JsonValues.write(streamed)), text);
        }
    }

    @Test
    void theStreamingReaderIsAsStrictAsTheMapper() throws Exception {
        for (String malformed : List.of("{}x", "{} {}", "6]", "{\"a\":1,\"a\":2}", "{\"a\":", "[1,]", "nul")) {
            assertThrows(JsonProcessingException.class, () -> JsonValues.parse(malformed), malformed);
            assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readTree(malformed), "the mapper too: " + malformed);
        }
        // No document at all: the mapper answers a missing node, which its callers refuse; this reader refuses it itself.
        for (String empty : List.of("", " \n")) {
            assertThrows(JsonProcessingException.class, () -> JsonValues.parse(empty));
            assertTrue(Json.MAPPER.readTree(empty).isMissingNode());
        }
    }

    @Test
    void anObjectSettingIsMissingMalformedOrNotAnObjectAs400s() {
        assertEquals("TaskAttributes is missing", assertThrows(HttpError.class, () -> JsonValues.parseObject(" ", "TaskAttributes")).getMessage());
        assertEquals("TaskAttributes is not valid JSON", assertThrows(HttpError.class, () -> JsonValues.parseObject("{", "TaskAttributes")).getMessage());
        assertEquals("TaskAttributes must be a JSON object", assertThrows(HttpError.class, () -> JsonValues.parseObject("[]", "TaskAttributes")).getMessage());
        assertEquals(Map.of("a", 1), JsonValues.parseObject("{\"a\":1}", "TaskAttributes"));
    }

    private static ObjectNode object(Random random, int depth) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        int fields = random.nextInt(depth == 0 ? 6 : 4);
        for (int f = 0; f < fields; f++) {
            object.set("k" + random.nextInt(50), value(random, depth + 1));
        }
        return object;
    }

    private static JsonNode value(Random random, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        int kind = random.nextInt(depth > 3 ? 8 : 10);
        return switch (kind) {
            case 0 -> nodes.textNode(Arrays.toString(new int[]{random.nextInt()}));
            case 1 -> nodes.numberNode(random.nextInt());
            case 2 -> nodes.numberNode(random.nextLong());
            case 3 -> nodes.numberNode(random.nextDouble());
            case 4 -> nodes.numberNode(new BigInteger(80, random));
            case 5 -> nodes.numberNode(new BigDecimal(random.nextDouble()));
            case 6 -> nodes.booleanNode(random.nextBoolean());
            case 7 -> nodes.nullNode();
            case 8 -> object(random, depth);
            default -> {
                ArrayNode array = nodes.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(random, depth + 1));
                }
                yield array;
            }
        };
    }
}
