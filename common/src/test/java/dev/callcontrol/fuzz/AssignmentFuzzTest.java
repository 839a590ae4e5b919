package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.callcontrol.callsetup.AssignmentRejected;
import dev.callcontrol.callsetup.CallInstruction;
import dev.callcontrol.callsetup.CallSetup;
import dev.callcontrol.callsetup.ConferenceInstruction;
import dev.callcontrol.callsetup.Instruction;
import dev.callcontrol.callsetup.TaskAssignment;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.taskrouter.AssignmentCallback;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * TaskRouter's assignment callback end to end, without the network: a fuzzed callback form (SIDs,
 * task and worker attributes as TaskRouter sends them, or anything) through
 * {@link AssignmentCallback#parse}, {@link CallSetup#answer} (whisper on and off) and
 * {@link AssignmentCallback#json}; and the instruction JSON for fuzzed instruction fields. Only a
 * 400 {@link HttpError} or an {@link AssignmentRejected} may escape. The answer must be the
 * instruction the task calls for; its JSON must be one object with exactly TaskRouter's keys, the
 * fuzzed caller ID and contact URI must read back unchanged, and the URLs TaskRouter will call must
 * carry exactly the product's query parameters, each a SID: attribute text can inject none.
 */
class AssignmentFuzzTest {
    private static final String BASE = "https://calls.example.com";
    private static final String CALLER_ID = "+15005550006";
    private static final Pattern TASK = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    private static final Pattern RESERVATION = Pattern.compile("^WR[0-9a-fA-F]{32}$");
    private static final Pattern WORKER = Pattern.compile("^WK[0-9a-fA-F]{32}$");
    /** E.164 as the product reads it (Destinations.E164: at least seven digits). */
    private static final Pattern E164 = dev.callcontrol.config.Destinations.E164;
    private static final String DIAL_PREFIX = "+1";
    /** The default deny-list (DIAL_DENY_PREFIXES), as documented in docs/decisions.md, "Toll fraud". */
    private static final List<String> DENIED = List.of(dev.callcontrol.config.Destinations.DEFAULT_DENY.split(","));

    /** Under the allowed prefix and outside the deny-list. */
    private static boolean dialable(String number) {
        return number.startsWith(DIAL_PREFIX) && DENIED.stream().noneMatch(number::startsWith);
    }

    /** The forms a contact URI is rung in with no SIP_DOMAINS: a client identity, or an E.164 number the guard allows. */
    private static boolean ringable(String contact) {
        return contact.matches("^client:[A-Za-z0-9_.@-]{1,121}$") || (E164.matcher(contact).matches() && dialable(contact));
    }
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    /** Writes attributes as TaskRouter does, JSON nulls included (the product's mapper leaves nulls out). */
    private static final ObjectMapper TASKROUTER = new ObjectMapper();
    private static final String[] TASK_KEYS = {"call_sid", "outbound_to", "outbound_from", "transfer", "called", "to", "caller_name", "from"};
    private static final Set<String> CALL_KEYS = Set.of("instruction", "from", "to", "url", "status_callback_url", "timeout", "accept");
    private static final Set<String> CONFERENCE_KEYS = Set.of("instruction", "from", "to", "timeout", "conference_status_callback",
            "conference_status_callback_method", "conference_status_callback_event", "end_conference_on_exit",
            "end_conference_on_customer_exit", "beep");

    @FuzzTest(maxDuration = "10m")
    void assignment(FuzzedDataProvider data) {
        if (data.consumeInt(0, 4) == 0) {
            instructionJson(data);
            return;
        }
        Map<String, String> form = new HashMap<>();
        putMaybe(data, form, "TaskSid", Fuzz.sidOrText(data, "WT"));
        putMaybe(data, form, "ReservationSid", Fuzz.sidOrText(data, "WR"));
        putMaybe(data, form, "WorkerSid", Fuzz.sidOrText(data, "WK"));
        Map<String, Object> taskAttributes = data.consumeBoolean() ? attributes(data) : null;
        putMaybe(data, form, "TaskAttributes", taskAttributes != null ? write(taskAttributes) : data.consumeString(80));
        Map<String, Object> workerAttributes = null;
        if (data.consumeBoolean()) {
            workerAttributes = new LinkedHashMap<>();
            workerAttributes.put("contact_uri", data.consumeBoolean() ? value(data) : "client:" + data.consumeString(20));
        }
        putMaybe(data, form, "WorkerAttributes", workerAttributes != null ? write(workerAttributes) : data.consumeString(60));
        boolean whisper = data.consumeBoolean();

        TaskAssignment assignment;
        try {
            assignment = AssignmentCallback.parse(form);
        } catch (HttpError e) {
            expectStatus(e, 400);
            return;
        }
        check(TASK.matcher(assignment.taskSid()).matches(), "task SID " + assignment.taskSid());
        check(RESERVATION.matcher(assignment.reservationSid()).matches(), "reservation SID " + assignment.reservationSid());
        check(WORKER.matcher(assignment.workerSid()).matches(), "worker SID " + assignment.workerSid());
        if (taskAttributes != null) {
            equal(taskAttributes, assignment.taskAttributes(), "task attributes");
        }
        if (workerAttributes != null) {
            equal(workerAttributes, assignment.workerAttributes(), "worker attributes");
        }

        String contact = assignment.workerContactUri();
        String from = Optional.ofNullable(assignment.calledNumber()).orElse(CALLER_ID);
        Optional<Instruction> answer;
        try {
            answer = new CallSetup(CALLER_ID, BASE, 20, data.consumeBoolean(), whisper, List.of(DIAL_PREFIX)).answer(assignment);
        } catch (AssignmentRejected e) {
            String outboundTo = assignment.isTransfer() || !assignment.isVoice() ? null : assignment.outboundTo();
            if (assignment.isTransfer() && assignment.transferCallTaskSid() == null) {
                equal(AssignmentRejected.Reason.MALFORMED_TRANSFER, e.reason(), "rejection");
            } else if (outboundTo != null && !E164.matcher(outboundTo).matches()) {
                equal(AssignmentRejected.Reason.INVALID_NUMBER, e.reason(), "rejection");
            } else if (outboundTo != null && !dialable(outboundTo)) {
                equal(AssignmentRejected.Reason.DESTINATION_NOT_ALLOWED, e.reason(), "rejection");
            } else if (outboundTo != null && assignment.outboundFrom() != null) {
                // No OUTBOUND_CALLER_IDS here: any caller ID an outbound task asks for is refused.
                equal(AssignmentRejected.Reason.CALLER_ID_NOT_ALLOWED, e.reason(), "rejection");
            } else if (contact != null) {
                equal(AssignmentRejected.Reason.INVALID_CONTACT_URI, e.reason(), "rejection");
                check(!ringable(contact), "rejected a contact URI the product rings: " + e.getMessage());
            } else {
                equal(AssignmentRejected.Reason.MISSING_CONTACT_URI, e.reason(), "rejection");
                check(contact == null && (assignment.isTransfer() || assignment.isVoice()), "rejected with a contact URI: " + e.getMessage());
            }
            return;
        }
        if (!assignment.isTransfer() && !assignment.isVoice()) {
            check(answer.isEmpty(), "a task that is no call was answered: " + answer);
            return;
        }
        check(answer.isPresent(), "a call's task got no instruction");
        if (!assignment.isTransfer() && assignment.outboundTo() != null) {
            check(E164.matcher(assignment.outboundTo()).matches() && dialable(assignment.outboundTo()),
                    "an outbound task to a number that is not allowed was answered: " + assignment.outboundTo());
        }
        check(ringable(contact), "a contact URI the product does not ring was answered: " + contact);
        Instruction instruction = answer.get();
        equal(contact, instruction.to(), "to");
        equal(from, instruction.from(), "from");
        String task = assignment.taskSid();
        String worker = assignment.workerSid();
        String reservation = assignment.reservationSid();
        if (assignment.isTransfer()) {
            String call = assignment.transferCallTaskSid();
            CallInstruction leg = (CallInstruction) instruction;
            equal(BASE + CallSetup.TRANSFER_LEG_PATH, withoutQuery(leg.url()), "transfer leg URL");
            equal(Map.of("call", call, "task", task, "worker", worker, "reservation", reservation), query(leg.url()), "transfer leg URL's query");
            equal(Map.of("call", call, "task", task, "reservation", reservation), query(leg.statusCallbackUrl()), "transfer leg status callback's query");
            check(!leg.accept(), "a call instruction asked TaskRouter to accept");
        } else if (whisper && assignment.outboundTo() == null) {
            CallInstruction leg = (CallInstruction) instruction;
            equal(BASE + CallSetup.AGENT_WHISPER_PATH, withoutQuery(leg.url()), "whisper URL");
            equal(Map.of("call", task, "worker", worker, "reservation", reservation), query(leg.url()), "whisper URL's query");
            equal(Map.of("call", task, "task", task, "reservation", reservation), query(leg.statusCallbackUrl()), "whisper status callback's query");
            check(!leg.accept(), "a call instruction asked TaskRouter to accept");
        } else {
            check(instruction instanceof ConferenceInstruction, "expected the conference instruction, got " + instruction);
        }
        checkJson(instruction);
    }

    /** The instruction JSON for fuzzed fields: one object, TaskRouter's keys, every value read back unchanged. */
    private static void instructionJson(FuzzedDataProvider data) {
        String from = data.consumeString(40);
        String to = data.consumeString(40);
        int timeout = data.consumeInt();
        String url = data.consumeString(60);
        if (data.consumeBoolean()) {
            checkJson(new CallInstruction(from, to, url, data.consumeString(60), timeout, data.consumeBoolean()));
        } else {
            List<String> events = new ArrayList<>();
            int count = data.consumeInt(0, 3);
            for (int i = 0; i < count; i++) {
                events.add(data.consumeString(10));
            }
            checkJson(new ConferenceInstruction(from, to, timeout, data.consumeBoolean(), url, events,
                    data.consumeBoolean(), data.consumeBoolean(), data.consumeBoolean()));
        }
    }

    private static void checkJson(Instruction instruction) {
        String json = AssignmentCallback.json(instruction);
        JsonNode node;
        try {
            node = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the instruction is not JSON: " + json, e);
        }
        check(node.isObject(), "the instruction is not an object: " + json);
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        equal(instruction.from(), node.path("from").asText(null), "from in " + json);
        equal(instruction.to(), node.path("to").asText(null), "to in " + json);
        switch (instruction) {
            case CallInstruction call -> {
                equal(new TreeSet<>(CALL_KEYS), keys, "keys of " + json);
                equal("call", node.get("instruction").asText(), "instruction");
                equal(call.url(), node.get("url").asText(), "url");
                equal(call.statusCallbackUrl(), node.get("status_callback_url").asText(), "status_callback_url");
                equal(call.timeoutSeconds(), node.get("timeout").asInt(), "timeout");
                equal(call.accept(), node.get("accept").asBoolean(), "accept");
            }
            case ConferenceInstruction conference -> {
                Set<String> expected = new TreeSet<>(CONFERENCE_KEYS);
                if (conference.record()) {
                    expected.add("conference_record");
                }
                equal(expected, keys, "keys of " + json);
                equal("conference", node.get("instruction").asText(), "instruction");
                equal(conference.statusCallbackUrl(), node.get("conference_status_callback").asText(), "status callback");
                equal(String.join(",", conference.statusCallbackEvents()), node.get("conference_status_callback_event").asText(), "events");
                equal(conference.timeoutSeconds(), node.get("timeout").asInt(), "timeout");
                equal(conference.endConferenceOnExit(), node.get("end_conference_on_exit").asBoolean(), "end_conference_on_exit");
                equal(conference.endConferenceOnCustomerExit(), node.get("end_conference_on_customer_exit").asBoolean(), "end_conference_on_customer_exit");
                equal(conference.beep(), node.get("beep").asBoolean(), "beep");
            }
        }
    }

    private static Map<String, Object> attributes(FuzzedDataProvider data) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count; i++) {
            String key = Fuzz.utf8(Fuzz.oneOf(data, TASK_KEYS, 12));
            if ("transfer".equals(key) && data.consumeBoolean()) {
                Map<String, Object> transfer = new LinkedHashMap<>();
                transfer.put("call_task_sid", data.consumeBoolean() ? Fuzz.sidOrText(data, "WT") : value(data));
                attributes.put(key, transfer);
            } else {
                attributes.put(key, value(data));
            }
        }
        return attributes;
    }

    /** A JSON value as Jackson reads it back: text (often a number or SID-like), an int, a boolean or null. */
    private static Object value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 5)) {
            case 0 -> null;
            case 1 -> data.consumeInt();
            case 2 -> data.consumeBoolean();
            case 3 -> Fuzz.sid(data, "CA");
            default -> Fuzz.utf8(data.consumeString(30));
        };
    }

    private static String write(Map<String, Object> attributes) {
        try {
            return TASKROUTER.writeValueAsString(attributes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putMaybe(FuzzedDataProvider data, Map<String, String> form, String name, String value) {
        if (data.consumeInt(0, 7) != 0) {
            form.put(name, value);
        }
    }

    private static String withoutQuery(String url) {
        int question = url.indexOf('?');
        return question < 0 ? url : url.substring(0, question);
    }

    /** The URL's query as a map; a repeated name is a finding. */
    private static Map<String, String> query(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new AssertionError("not a URL: " + url, e);
        }
        Map<String, String> query = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8);
            check(query.put(name, URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8)) == null,
                    "query parameter " + name + " repeated in " + url);
        }
        return query;
    }
}
