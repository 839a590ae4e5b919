package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * TaskRouter's expression language, enough of it for workflow filters and queue
 * {@code target_workers}: comparisons ({@code == = != > < >= <=}), {@code HAS}, {@code IN},
 * {@code NOT IN}, {@code CONTAINS}, {@code AND}/{@code OR} (and {@code && ||}), parentheses,
 * string, number and boolean constants, arrays, and dotted attribute names. A name may start
 * with {@code task.} or {@code worker.}; a bare name reads the expression's own subject (the task
 * in a workflow filter, the worker in a queue's target expression).
 *
 * <p>[rule taskrouter.expression.constants] the constants are those Twilio's expression
 * syntax documents (https://www.twilio.com/docs/taskrouter/expression-syntax: strings, numbers,
 * booleans, arrays); {@code null} is not one, and an expression using it is refused when the
 * workflow or queue is saved. How a missing attribute compares is an assumption: it equals
 * nothing, so {@code desired_queue == 'sales'} is false for a task without one; the product's
 * workflow only ever compares attributes its tasks set.
 */
final class Expression {
    /** An expression Twilio would refuse when the workflow or queue is saved. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private final String text;
    private final List<String> tokens;
    private int position;
    private Map<String, JsonNode> scopes;
    private String subject;

    private Expression(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    /** Evaluates {@code text} where {@code subject} names the scope bare names read ("task" or "worker"). */
    static boolean matches(String text, String subject, Map<String, JsonNode> scopes) {
        Expression expression = new Expression(text);
        expression.scopes = scopes;
        expression.subject = subject;
        Object value = expression.or();
        if (expression.position != expression.tokens.size()) {
            throw new Invalid("unexpected '" + expression.tokens.get(expression.position) + "' in expression: " + text);
        }
        return Boolean.TRUE.equals(value);
    }

    /** Throws {@link Invalid} unless {@code text} parses. */
    static void check(String text) {
        matches(text, "task", Map.of());
    }

    private Object or() {
        Object left = and();
        while (peekKeyword("OR") || peek("||")) {
            position++;
            Object right = and();
            left = truthy(left) || truthy(right);
        }
        return left;
    }

    private Object and() {
        Object left = comparison();
        while (peekKeyword("AND") || peek("&&")) {
            position++;
            Object right = comparison();
            left = truthy(left) && truthy(right);
        }
        return left;
    }

    private Object comparison() {
        Object left = operand();
        if (position >= tokens.size()) {
            return left;
        }
        String operator = tokens.get(position).toUpperCase(Locale.ROOT);
        if (operator.equals("NOT") && position + 1 < tokens.size() && tokens.get(position + 1).equalsIgnoreCase("IN")) {
            position += 2;
            return !in(left, operand());
        }
        switch (operator) {
            case "==", "=", "!=", ">", "<", ">=", "<=", "HAS", "IN", "CONTAINS" -> position++;
            default -> {
                return left;
            }
        }
        Object right = operand();
        return switch (operator) {
            case "==", "=" -> equal(left, right);
            case "!=" -> !equal(left, right);
            case ">" -> ordered(left, right, c -> c > 0);
            case "<" -> ordered(left, right, c -> c < 0);
            case ">=" -> ordered(left, right, c -> c >= 0);
            case "<=" -> ordered(left, right, c -> c <= 0);
            case "HAS" -> left instanceof List<?> list ? list.stream().anyMatch(item -> equal(item, right)) : equal(left, right);
            case "IN" -> in(left, right);
            case "CONTAINS" -> left instanceof String s && right instanceof String r && s.contains(r);
            default -> throw new Invalid("unknown operator " + operator);
        };
    }

    private Object operand() {
        if (position >= tokens.size()) {
            throw new Invalid("expression ends early: " + text);
        }
        String token = tokens.get(position++);
        if (token.equals("(")) {
            Object value = or();
            expect(")");
            return value;
        }
        if (token.equals("[")) {
            List<Object> items = new ArrayList<>();
            while (!peek("]")) {
                items.add(operand());
                if (peek(",")) {
                    position++;
                }
            }
            expect("]");
            return items;
        }
        if (token.startsWith("'") || token.startsWith("\"")) {
            return token.substring(1, token.length() - 1);
        }
        if (Character.isDigit(token.charAt(0)) || (token.charAt(0) == '-' && token.length() > 1)) {
            try {
                return new BigDecimal(token);
            } catch (NumberFormatException e) {
                throw new Invalid("not a number: " + token);
            }
        }
        switch (token.toLowerCase(Locale.ROOT)) {
            case "true" -> {
                return true;
            }
            case "false" -> {
                return false;
            }
            case "null" -> throw new Invalid("null is not a TaskRouter constant (strings, numbers, booleans and arrays are): " + text);
            default -> {
                if (!token.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
                    throw new Invalid("unexpected '" + token + "' in expression: " + text);
                }
                return resolve(token);
            }
        }
    }

    private Object resolve(String name) {
        String scope = subject;
        String path = name;
        int dot = name.indexOf('.');
        if (dot > 0 && (name.startsWith("task.") || name.startsWith("worker."))) {
            scope = name.substring(0, dot);
            path = name.substring(dot + 1);
        }
        JsonNode node = scopes.get(scope);
        if (node == null) {
            return null;
        }
        for (String part : path.split("\\.")) {
            node = node.get(part);
            if (node == null) {
                return null;
            }
        }
        return value(node);
    }

    static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(item -> items.add(value(item)));
            return items;
        }
        return node.toString();
    }

    private static boolean equal(Object left, Object right) {
        if (left instanceof BigDecimal a && right instanceof BigDecimal b) {
            return a.compareTo(b) == 0;
        }
        return Objects.equals(left, right);
    }

    private static boolean in(Object left, Object right) {
        return right instanceof List<?> list && list.stream().anyMatch(item -> equal(left, item));
    }

    /** Ordering holds only between two numbers or two strings; anything else (null included) is false. */
    private static boolean ordered(Object left, Object right, java.util.function.IntPredicate test) {
        if (left instanceof BigDecimal a && right instanceof BigDecimal b) {
            return test.test(a.compareTo(b));
        }
        if (left instanceof String a && right instanceof String b) {
            return test.test(a.compareTo(b));
        }
        return false;
    }

    private static boolean truthy(Object value) {
        return Boolean.TRUE.equals(value);
    }

    private boolean peek(String token) {
        return position < tokens.size() && tokens.get(position).equals(token);
    }

    private boolean peekKeyword(String keyword) {
        return position < tokens.size() && tokens.get(position).equalsIgnoreCase(keyword);
    }

    private void expect(String token) {
        if (!peek(token)) {
            throw new Invalid("expected '" + token + "' in expression: " + text);
        }
        position++;
    }

    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    throw new Invalid("unterminated string in expression: " + text);
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else if ("()[],".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else if ("=!<>&|".indexOf(c) >= 0) {
                int end = i + 1;
                while (end < text.length() && "=!<>&|".indexOf(text.charAt(end)) >= 0) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && "()[],'\"=!<>&|".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            }
        }
        return tokens;
    }
}
