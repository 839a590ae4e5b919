package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The simulator's rules register: every behaviour of Twilio the simulator models and the product
 * depends on, each with an id, a one-line statement and its source (a Twilio documentation URL, a
 * path in twilio-oai, a changelog entry, a twilio-java or twilio-taskrouter.js source file, or
 * {@code assumption:} with how the product stays correct if the assumption is wrong). The register
 * is {@code rules.json} beside this class. Code that applies a rule names it, either as
 * {@code [rule id]} in a comment or through {@link #variant}/{@link #is}; {@code RulesRegisterTest}
 * fails on an id used in code and missing here, on a rule with no source, and on a rule no code applies.
 *
 * <p>Where Twilio's documentation can be read two ways, the rule has {@code variants}, the first of
 * which is its default. {@code SIM_RULES} (or the system property {@code sim.rules}),
 * {@code id=variant,id=variant}, sets the variants a simulator starts with; {@code POST /sim/rules}
 * selects another at run time and {@code DELETE /sim/rules} returns to the starting ones.
 */
public final class Rules {
    /** One rule of the register. {@code variants} is empty for a rule Twilio documents one way. */
    public record Rule(String id, String statement, String source, List<String> variants) {
        public Rule {
            Objects.requireNonNull(id, "id");
            variants = variants == null ? List.of() : List.copyOf(variants);
        }
    }

    private static final List<Rule> REGISTER = load();

    private final Map<String, String> starting;
    private final Map<String, String> selected = new LinkedHashMap<>();

    /** A simulator's rules, starting from the variants named in {@code selection} ({@code id=variant,...}; blank for the defaults). */
    Rules(String selection) {
        Map<String, String> chosen = new LinkedHashMap<>();
        if (selection != null && !selection.isBlank()) {
            for (String pair : selection.split(",")) {
                String[] parts = pair.trim().split("=", 2);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("SIM_RULES wants id=variant pairs separated by commas, not '" + pair + "'");
                }
                check(parts[0].trim(), parts[1].trim());
                chosen.put(parts[0].trim(), parts[1].trim());
            }
        }
        this.starting = Collections.unmodifiableMap(chosen);
        selected.putAll(chosen);
    }

    /** The selection this JVM's simulators start with: {@code sim.rules}, else {@code SIM_RULES}. */
    static String startingSelection() {
        String property = System.getProperty("sim.rules");
        return property != null ? property : System.getenv("SIM_RULES");
    }

    /** Every rule, in register order. */
    public static List<Rule> register() {
        return REGISTER;
    }

    /**
     * The register as a Markdown table, as docs/simulator.md shows it between its
     * {@code rules register} markers; the first reading of an ambiguous rule is its default.
     */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| Rule | What the simulator does | Source | Readings |\n| --- | --- | --- | --- |\n");
        for (Rule rule : REGISTER) {
            out.append("| `").append(rule.id()).append("` | ").append(cell(rule.statement())).append(" | ").append(cell(rule.source())).append(" | ")
                    .append(rule.variants().isEmpty() ? "" : "`" + String.join("`, `", rule.variants()) + "`").append(" |\n");
        }
        return out.toString();
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    /** The variant of {@code id} in force. */
    synchronized String variant(String id) {
        Rule rule = ambiguous(id);
        return selected.getOrDefault(id, rule.variants().get(0));
    }

    /** Whether {@code variant} of {@code id} is in force. */
    boolean is(String id, String variant) {
        check(id, variant);
        return variant(id).equals(variant);
    }

    /** Selects a variant, refusing an unknown rule or variant with 400. */
    synchronized Map<String, Object> select(String id, String variant) {
        try {
            check(id, variant);
        } catch (IllegalArgumentException e) {
            throw new TwilioError(400, 20001, e.getMessage());
        }
        selected.put(id, variant);
        return describe(find(id));
    }

    /** Back to the variants the simulator started with. */
    synchronized void reset() {
        selected.clear();
        selected.putAll(starting);
    }

    /** The register as {@code GET /sim/rules} gives it, with the variant in force for each ambiguous rule. */
    synchronized List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rule rule : REGISTER) {
            out.add(describe(rule));
        }
        return out;
    }

    private Map<String, Object> describe(Rule rule) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", rule.id());
        out.put("statement", rule.statement());
        out.put("source", rule.source());
        if (!rule.variants().isEmpty()) {
            out.put("variants", rule.variants());
            out.put("variant", selected.getOrDefault(rule.id(), rule.variants().get(0)));
        }
        return out;
    }

    private static void check(String id, String variant) {
        Rule rule = ambiguous(id);
        if (!rule.variants().contains(variant)) {
            throw new IllegalArgumentException("Rule " + id + " has the variants " + rule.variants() + ", not '" + variant + "'");
        }
    }

    private static Rule ambiguous(String id) {
        Rule rule = find(id);
        if (rule.variants().isEmpty()) {
            throw new IllegalArgumentException("Rule " + id + " has no variants");
        }
        return rule;
    }

    private static Rule find(String id) {
        for (Rule rule : REGISTER) {
            if (rule.id().equals(id)) {
                return rule;
            }
        }
        throw new IllegalArgumentException("No rule " + id + " in the register");
    }

    private static List<Rule> load() {
        try (InputStream in = Rules.class.getResourceAsStream("rules.json")) {
            if (in == null) {
                throw new IllegalStateException("rules.json is missing beside " + Rules.class.getName());
            }
            JsonNode root = Json.MAPPER.readTree(in);
            List<Rule> rules = new ArrayList<>();
            for (JsonNode node : root) {
                List<String> variants = new ArrayList<>();
                node.path("variants").forEach(v -> variants.add(v.asText()));
                rules.add(new Rule(node.path("id").asText(null), node.path("statement").asText(null), node.path("source").asText(null), variants));
            }
            return List.copyOf(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
