package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules register is complete and sourced: every rule the simulator's code names is in it, every
 * rule in it has a statement and a source (Twilio's docs, twilio-oai, a changelog entry, twilio-java
 * or twilio-taskrouter.js, or an assumption that says how the product stays correct), and every rule
 * in it is applied somewhere in the code.
 */
class RulesRegisterTest {
    private static final Path SIM_SOURCES = Path.of("src/main/java/dev/callcontrol/local/sim");
    private static final Pattern MARKER = Pattern.compile("\\[rule ([a-z0-9][a-z0-9.-]*[a-z0-9])]");
    private static final Pattern QUERY = Pattern.compile("rules\\.(?:is|variant)\\(\"([^\"]+)\"");
    private static final Pattern SPEC = Pattern.compile("twilio-oai:([A-Za-z0-9_.]+\\.json)");

    /** Every rule id the simulator's code names, with the first file that names it. */
    static Map<String, String> idsInCode() throws IOException {
        Map<String, String> ids = new TreeMap<>();
        try (Stream<Path> files = Files.list(SIM_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                if (file.getFileName().toString().equals("Rules.java")) {
                    continue;
                }
                String text = Files.readString(file);
                for (Pattern pattern : List.of(MARKER, QUERY)) {
                    Matcher m = pattern.matcher(text);
                    while (m.find()) {
                        ids.putIfAbsent(m.group(1), file.getFileName().toString());
                    }
                }
            }
        }
        return ids;
    }

    @Test
    void everyRuleTheCodeNamesIsInTheRegister() throws IOException {
        Set<String> registered = new HashSet<>();
        Rules.register().forEach(rule -> registered.add(rule.id()));
        List<String> missing = new ArrayList<>();
        idsInCode().forEach((id, file) -> {
            if (!registered.contains(id)) {
                missing.add(id + " (named in " + file + ")");
            }
        });
        assertEquals(List.of(), missing, "rules applied in code but missing from rules.json");
    }

    @Test
    void everyRuleInTheRegisterIsAppliedInCode() throws IOException {
        Set<String> used = idsInCode().keySet();
        List<String> dead = Rules.register().stream().map(Rules.Rule::id).filter(id -> !used.contains(id)).toList();
        assertEquals(List.of(), dead, "rules in rules.json that no simulator code names");
    }

    @Test
    void everyRuleHasAStatementAndASourceAndAUniqueId() {
        Set<String> seen = new HashSet<>();
        List<String> problems = new ArrayList<>();
        Path specs = ContractCheck.defaultDirectory(System.getenv(), Path.of("..").toAbsolutePath().normalize());
        for (Rules.Rule rule : Rules.register()) {
            if (!seen.add(rule.id())) {
                problems.add(rule.id() + ": listed twice");
            }
            if (rule.statement() == null || rule.statement().isBlank()) {
                problems.add(rule.id() + ": no statement");
            }
            String source = rule.source() == null ? "" : rule.source().strip();
            boolean assumption = source.startsWith("assumption: ") && source.length() > "assumption: ".length() + 20;
            boolean cited = source.contains("https://www.twilio.com/") || source.contains("https://github.com/twilio/") || source.contains("twilio-oai:");
            if (!assumption && !cited) {
                problems.add(rule.id() + ": the source is neither Twilio's (docs, twilio-oai, changelog, twilio-java, twilio-taskrouter.js) nor an assumption that says how the product stays correct: '" + source + "'");
            }
            Matcher spec = SPEC.matcher(source);
            while (spec.find()) {
                if (Files.isDirectory(specs) && !Files.isRegularFile(specs.resolve(spec.group(1)))) {
                    problems.add(rule.id() + ": cites " + spec.group(1) + ", which is not in " + specs);
                }
            }
            if (rule.variants().size() == 1) {
                problems.add(rule.id() + ": one variant is no choice");
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * The build runs the scenario suite a second time with {@code sim.otherReadings} (local/pom.xml);
     * together the two runs must put every ambiguous rule under each of its readings.
     */
    @Test
    void theSecondScenarioRunCoversEveryOtherReading() throws IOException {
        Matcher property = Pattern.compile("<sim.otherReadings>([^<]*)</sim.otherReadings>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(property.find(), "local/pom.xml sets sim.otherReadings");
        Map<String, String> second = new TreeMap<>();
        for (String pair : property.group(1).split(",")) {
            String[] parts = pair.trim().split("=", 2);
            second.put(parts[0], parts[1]);
        }
        List<String> uncovered = new ArrayList<>();
        for (Rules.Rule rule : Rules.register()) {
            if (rule.variants().isEmpty()) {
                continue;
            }
            if (rule.variants().size() != 2) {
                uncovered.add(rule.id() + ": " + rule.variants().size() + " readings need more than two runs");
            } else if (!rule.variants().get(1).equals(second.get(rule.id()))) {
                uncovered.add(rule.id() + "=" + rule.variants().get(1) + " (the second run has " + second.get(rule.id()) + ")");
            }
        }
        assertEquals(List.of(), uncovered, "readings no scenario run is under");
        new Rules(property.group(1));
    }

    /** docs/simulator.md shows the register as it is; {@code -Ddocs.write=true} rewrites that part of the page. */
    @Test
    void theSimulatorPageShowsTheRegister() throws IOException {
        Path page = Path.of("..", "docs", "simulator.md");
        String text = Files.readString(page);
        String begin = "<!-- rules register: begin -->\n";
        String end = "<!-- rules register: end -->";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        assertTrue(from >= 0 && to > from, "docs/simulator.md has the register's markers");
        String shown = text.substring(from + begin.length(), to);
        if (Boolean.getBoolean("docs.write")) {
            Files.writeString(page, text.substring(0, from + begin.length()) + Rules.markdown() + text.substring(to));
            return;
        }
        assertEquals(Rules.markdown(), shown, "docs/simulator.md's register is out of date: run RulesRegisterTest with -Ddocs.write=true");
    }

    @Test
    void theControlApiListsTheRegisterAndSwitchesAVariantUntilReset() throws IOException {
        try (TwilioSimulator simulator = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID, LocalDefaults.AUTH_TOKEN, Optional.empty()))) {
            SimClient sim = new SimClient(simulator.baseUrl());
            JsonNode rules = sim.rules();
            assertEquals(Rules.register().size(), rules.size());
            JsonNode accept = find(rules, "taskrouter.call-instruction.accept");
            // The run may start under another reading (sim.rules); reset returns to it.
            String starting = new Rules(Rules.startingSelection()).variant("taskrouter.call-instruction.accept");
            String other = starting.equals("on-answer") ? "before-dial" : "on-answer";
            assertEquals(starting, accept.path("variant").asText());
            assertEquals(List.of("on-answer", "before-dial"), List.of(accept.path("variants").get(0).asText(), accept.path("variants").get(1).asText()));
            assertTrue(find(rules, "taskrouter.call-instruction.accept").path("source").asText().contains("twilio-oai:"));

            assertEquals(other, sim.selectRule("taskrouter.call-instruction.accept", other).path("variant").asText());
            assertEquals(other, find(sim.rules(), "taskrouter.call-instruction.accept").path("variant").asText());

            IllegalStateException unknownVariant = assertThrows(IllegalStateException.class, () -> sim.selectRule("taskrouter.call-instruction.accept", "sometimes"));
            assertTrue(unknownVariant.getMessage().contains("400"), unknownVariant.getMessage());
            IllegalStateException unknownRule = assertThrows(IllegalStateException.class, () -> sim.selectRule("no.such.rule", "x"));
            assertTrue(unknownRule.getMessage().contains("400"), unknownRule.getMessage());

            assertEquals(starting, find(sim.resetRules(), "taskrouter.call-instruction.accept").path("variant").asText());
        }
    }

    @Test
    void aStartingSelectionNamesVariantsAndRefusesUnknownOnes() {
        Rules rules = new Rules("taskrouter.call-instruction.accept=before-dial");
        assertEquals("before-dial", rules.variant("taskrouter.call-instruction.accept"));
        rules.select("taskrouter.call-instruction.accept", "on-answer");
        rules.reset();
        assertEquals("before-dial", rules.variant("taskrouter.call-instruction.accept"), "reset returns to the starting selection");
        assertThrows(IllegalArgumentException.class, () -> new Rules("taskrouter.call-instruction.accept=sometimes"));
        assertThrows(IllegalArgumentException.class, () -> new Rules("nonsense"));
    }

    private static JsonNode find(JsonNode rules, String id) {
        for (JsonNode rule : rules) {
            if (rule.path("id").asText().equals(id)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + id + " in " + rules);
    }
}
