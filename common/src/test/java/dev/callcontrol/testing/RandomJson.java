package dev.callcontrol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;

/** Random JSON documents for property tests: every kind of value, nested a few levels, keys repeated across objects. */
public final class RandomJson {
    private RandomJson() {
    }

    public static ObjectNode object(Random random) {
        return object(random, 0);
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
            case 0 -> nodes.textNode(random.nextBoolean() ? Arrays.toString(new int[]{random.nextInt()}) : text(random));
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

    /** Text beyond ASCII: accents, a character outside the basic plane, a line separator, quotes and controls. */
    public static String text(Random random) {
        String[] parts = {"Zoë", "😀", "中文", "\u2028", "\"", "\\", "\n", "\u0001", "a", " "};
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(6); i >= 0; i--) {
            out.append(parts[random.nextInt(parts.length)]);
        }
        return out.toString();
    }
}
