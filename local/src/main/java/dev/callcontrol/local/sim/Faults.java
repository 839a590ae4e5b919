package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.HttpError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Injected faults: the Nth request matching a method and path pattern (and the {@code times - 1}
 * after it) is answered with 429 (Twilio code 20429), a 5xx, or hangs; every matching request can
 * be delayed. With {@code after} the request is executed first and only its answer is lost or
 * replaced: the case where a client cannot tell whether Twilio acted. Rules come from
 * {@code POST /sim/faults} as {@code {"method","path","nth","times","status"|"hang","delayMillis","after"}}.
 */
final class Faults {
    /** What happens to one request. */
    record Effect(int status, boolean hang, long delayMillis, boolean after, String rule) {
        String describe() {
            String what = hang ? "hang" : status > 0 ? String.valueOf(status) : "delay " + delayMillis + "ms";
            return what + (after ? " after executing" : "") + " (" + rule + ")";
        }

        /** The request is refused before Twilio acts on it. */
        boolean refuses() {
            return status > 0 && !after;
        }
    }

    private static final class Rule {
        final String method;
        final Pattern path;
        final int nth;
        final int times;
        final int status;
        final boolean hang;
        final long delayMillis;
        final boolean after;
        int seen;

        Rule(String method, Pattern path, int nth, int times, int status, boolean hang, long delayMillis, boolean after) {
            this.method = method;
            this.path = path;
            this.nth = nth;
            this.times = times;
            this.status = status;
            this.hang = hang;
            this.delayMillis = delayMillis;
            this.after = after;
        }

        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("method", method);
            out.put("path", path.pattern());
            out.put("nth", nth);
            out.put("times", times);
            out.put("status", status);
            out.put("hang", hang);
            out.put("delayMillis", delayMillis);
            out.put("after", after);
            out.put("seen", seen);
            return out;
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    synchronized Map<String, Object> add(JsonNode request) {
        String method = request.path("method").asText("*").toUpperCase(java.util.Locale.ROOT);
        Pattern path;
        try {
            path = Pattern.compile(request.path("path").asText(".*"));
        } catch (PatternSyntaxException e) {
            throw HttpError.badRequest("path is not a regular expression: " + e.getDescription());
        }
        int nth = request.path("nth").asInt(0);
        int times = request.path("times").asInt(1);
        if (times < 1) {
            throw HttpError.badRequest("times must be at least 1");
        }
        int status = request.path("status").asInt(0);
        boolean hang = request.path("hang").asBoolean(false);
        long delay = request.path("delayMillis").asLong(hang ? 30_000 : 0);
        if (status != 0 && status != 429 && (status < 500 || status > 599)) {
            throw HttpError.badRequest("status must be 429 or 5xx");
        }
        if ((status != 0 || hang) && nth < 1) {
            throw HttpError.badRequest("nth (which matching request fails, from 1) is required with status or hang");
        }
        if (status == 0 && !hang && delay <= 0) {
            throw HttpError.badRequest("a fault needs status, hang or delayMillis");
        }
        boolean after = request.path("after").asBoolean(false);
        if (after && status == 0 && !hang) {
            throw HttpError.badRequest("after needs status or hang: what the executed request answers");
        }
        Rule rule = new Rule(method, path, nth, times, status, hang, delay, after);
        rules.add(rule);
        return rule.describe();
    }

    /** The effect on this request, counting it against every matching rule; {@code null} when none applies. */
    synchronized Effect match(String method, String path) {
        Effect effect = null;
        for (Rule rule : rules) {
            if ((rule.method.equals("*") || rule.method.equals(method)) && rule.path.matcher(path).find()) {
                rule.seen++;
                boolean fires = rule.nth == 0 || (rule.seen >= rule.nth && rule.seen < rule.nth + rule.times);
                if (fires && effect == null) {
                    String name = rule.method + " " + rule.path.pattern() + (rule.nth > 0 ? " #" + rule.nth : "");
                    effect = new Effect(rule.nth > 0 ? rule.status : 0, rule.nth > 0 && rule.hang, rule.delayMillis, rule.nth > 0 && rule.after, name);
                }
            }
        }
        return effect;
    }

    synchronized List<Map<String, Object>> rules() {
        return rules.stream().map(Rule::describe).toList();
    }

    synchronized void clear() {
        rules.clear();
    }
}
