package dev.callcontrol.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.callcontrol.calls.Role;
import dev.callcontrol.testing.RandomJson;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
            String text = RandomJson.object(random).toString();
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

    @Test
    void bodiesAreWrittenAsTheMapperWroteThemWithoutNullEntries() throws Exception {
        Random random = new Random(23);
        for (int i = 0; i < 2_000; i++) {
            Map<String, Object> value = JsonValues.parseObject(RandomJson.object(random).toString(), "a body");
            value.put("state", random.nextBoolean() ? Role.CUSTOMER : null);
            value.put("history", new ArrayList<>(Arrays.asList(Role.AGENT, null, Map.of("role", Role.SUPERVISOR))));

            assertEquals(Json.MAPPER.writeValueAsString(value), JsonValues.writeWithoutNulls(value));
        }
    }

    @Test
    void nullEntriesAreLeftOutAtEveryDepthButNullsInListsStay() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("gone", null);
        inner.put("kept", Arrays.asList(1, null));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("a", null);
        body.put("b", inner);
        body.put("c", Role.AGENT);

        assertEquals("{\"b\":{\"kept\":[1,null]},\"c\":\"AGENT\"}", JsonValues.writeWithoutNulls(body));
        assertEquals("{\"a\":null,\"b\":{\"gone\":null,\"kept\":[1,null]},\"c\":\"AGENT\"}", JsonValues.write(body));
    }
}
