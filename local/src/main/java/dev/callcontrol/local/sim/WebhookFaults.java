package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.HttpError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Faults between Twilio and the product, for tests: not Twilio's behaviour but the network's and
 * the product's front door's (API Gateway refusing, throttling or timing out). The Nth delivery
 * attempt to a product URL whose method and path match (and the {@code times - 1} after it) is
 * refused ({@code "refuse": true}: the connection fails, a {@code ct} failure), gets no answer
 * ({@code "timeout": true}: an {@code rt} failure, counted as the read timeout's length without
 * waiting it out), or is answered with {@code status} (4xx or 5xx). Without {@code after} the
 * product never sees that attempt; with {@code "after": true} the product handles it and only its
 * answer is lost or replaced, the case where Twilio cannot tell that the product acted. Rules come
 * from {@code POST /sim/webhooks/faults} as {@code {"method","path","nth","times","status"|"refuse"|"timeout","after"}};
 * each attempt of a retried delivery counts. A rule with {@code "drop": true} loses whole deliveries
 * instead: the Nth matching delivery (and the {@code times - 1} after it) never reaches the product
 * and no attempt of it is made again, the case of a webhook lost for good where Twilio cannot tell
 * (it sees an empty 204, so it raises no alert): meant for callbacks whose answer Twilio ignores. {@code POST /sim/faults}
 * takes the same rule as {@code {"webhook": "<regex on the product's path>", "nth", "times", "drop": true}}.
 */
final class WebhookFaults {
    /** What happens to one delivery attempt. */
    record Effect(int status, boolean refuse, boolean timeout, boolean after, boolean drop, String rule) {
        String describe() {
            String what = drop ? "lost on the way, never delivered" : refuse ? "connection refused" : timeout ? "no answer" : "answered " + status;
            return what + (after ? " after the product handled it" : "") + " (" + rule + ")";
        }
    }

    private static final class Rule {
        final String method;
        final Pattern path;
        final int nth;
        final int times;
        final Effect effect;
        int seen;

        Rule(String method, Pattern path, int nth, int times, Effect effect) {
            this.method = method;
            this.path = path;
            this.nth = nth;
            this.times = times;
            this.effect = effect;
        }

        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("method", method);
            out.put("path", path.pattern());
            out.put("nth", nth);
            out.put("times", times);
            out.put("status", effect.status());
            out.put("refuse", effect.refuse());
            out.put("timeout", effect.timeout());
            out.put("after", effect.after());
            out.put("drop", effect.drop());
            out.put("seen", seen);
            return out;
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    synchronized Map<String, Object> add(JsonNode request) {
        String method = request.path("method").asText("*").toUpperCase(Locale.ROOT);
        Pattern path;
        try {
            path = Pattern.compile(request.path("path").asText(".*"));
        } catch (PatternSyntaxException e) {
            throw HttpError.badRequest("path is not a regular expression: " + e.getDescription());
        }
        int nth = request.path("nth").asInt(0);
        int times = request.path("times").asInt(1);
        if (nth < 1) {
            throw HttpError.badRequest("nth (which matching delivery attempt fails, from 1) is required");
        }
        if (times < 1) {
            throw HttpError.badRequest("times must be at least 1");
        }
        int status = request.path("status").asInt(0);
        boolean refuse = request.path("refuse").asBoolean(false);
        boolean timeout = request.path("timeout").asBoolean(false);
        boolean drop = request.path("drop").asBoolean(false);
        int effects = (status != 0 ? 1 : 0) + (refuse ? 1 : 0) + (timeout ? 1 : 0) + (drop ? 1 : 0);
        if (effects != 1) {
            throw HttpError.badRequest("a webhook fault needs exactly one of status, refuse, timeout and drop");
        }
        if (status != 0 && (status < 400 || status > 599)) {
            throw HttpError.badRequest("status must be a 4xx or 5xx");
        }
        boolean after = request.path("after").asBoolean(false);
        if (after && (refuse || drop)) {
            throw HttpError.badRequest("a refused or dropped delivery never reaches the product: after does not apply");
        }
        String name = method + " " + path.pattern() + " #" + nth;
        Rule rule = new Rule(method, path, nth, times, new Effect(status, refuse, timeout, after, drop, name));
        rules.add(rule);
        return rule.describe();
    }

    /** The fault for this attempt, counting it against every matching attempt rule; {@code null} when none applies. */
    synchronized Effect match(String method, String path) {
        return matching(method, path, false);
    }

    /** The drop rule that loses this delivery, counting it against every matching drop rule; {@code null} when none does. */
    synchronized Effect dropped(String method, String path) {
        return matching(method, path, true);
    }

    private Effect matching(String method, String path, boolean drops) {
        Effect effect = null;
        for (Rule rule : rules) {
            if (rule.effect.drop() == drops && (rule.method.equals("*") || rule.method.equalsIgnoreCase(method)) && rule.path.matcher(path).find()) {
                rule.seen++;
                if (effect == null && rule.seen >= rule.nth && rule.seen < rule.nth + rule.times) {
                    effect = rule.effect;
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
