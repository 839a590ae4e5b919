package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.callsetup.AssignmentRefusal;
import dev.callcontrol.callsetup.AssignmentRejected;
import dev.callcontrol.callsetup.CallSetup;
import dev.callcontrol.callsetup.Instruction;
import dev.callcontrol.callsetup.TaskAssignment;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.logging.Redact;
import dev.callcontrol.snapstart.Priming;
import dev.callcontrol.taskrouter.AssignmentCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /twilio/assignment}: TaskRouter offers a reservation and the product answers with the
 * {@code conference} instruction for a new call, or the {@code call} instruction (accepting on
 * answer) for a transfer task. No network call happens on that path, so the answer is well inside
 * the five seconds TaskRouter allows; only a reservation the product refuses ({@link AssignmentRefusal})
 * costs a REST request, with Twilio's clients made on that first use.
 */
public final class AssignmentCallbackFunction extends dev.callcontrol.twilio.TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(AssignmentCallbackFunction.class);

    private final CallSetup callSetup;
    /** Built on the first refusal: the happy path loads no Twilio client (ClientsOnFirstUseTest). */
    private final java.util.function.Supplier<AssignmentRefusal> refusal;

    public AssignmentCallbackFunction() {
        this(Config.fromEnvironment());
    }

    public AssignmentCallbackFunction(Config config) {
        this(config, dev.callcontrol.config.Lazy.of(() -> Wiring.telephony(config)));
    }

    AssignmentCallbackFunction(Config config, java.util.function.Supplier<dev.callcontrol.calls.Telephony> telephony) {
        super(config);
        this.refusal = dev.callcontrol.config.Lazy.of(() -> new AssignmentRefusal(telephony.get()));
        this.callSetup = new CallSetup(config.callerId(), config.publicBaseUrl(),
                config.agentRingTimeoutSeconds(), config.recordConferences(), config.agentWhisper(),
                dev.callcontrol.config.Destinations.of(config));
        Priming.register("assignment instructions", this::prime);
    }

    /** SnapStart priming: a voice task's reservation read and answered with its instruction, no network. */
    private void prime() {
        Map<String, String> form = new java.util.LinkedHashMap<>();
        form.put("TaskSid", "WT00000000000000000000000000000000");
        form.put("ReservationSid", "WR00000000000000000000000000000000");
        form.put("WorkerSid", "WK00000000000000000000000000000000");
        form.put("TaskAttributes", "{\"call_sid\":\"CA00000000000000000000000000000000\",\"from\":\"+15005550006\","
                + "\"to\":\"+15005550006\",\"direction\":\"inbound\"}");
        form.put("WorkerAttributes", "{\"contact_uri\":\"client:priming\"}");
        Instruction instruction = callSetup.answer(AssignmentCallback.parse(form))
                .orElseThrow(() -> new IllegalStateException("the primed voice task got no instruction"));
        Redact.phone(instruction.to());
        AssignmentCallback.json(instruction);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "the assignment callback takes POST");
        }
        Map<String, String> form = request.form();
        CallLog.identify(form);
        TaskAssignment assignment = AssignmentCallback.parse(form);
        CallLog.put(CallLog.CALL_SID, assignment.customerCallSid());
        Optional<Instruction> instruction;
        try {
            instruction = callSetup.answer(assignment);
        } catch (AssignmentRejected e) {
            // The only path that reaches Twilio: a task nobody can take is canceled, an unreachable worker passed over.
            return switch (refusal.get().refuse(assignment.taskSid(), assignment.reservationSid(), e)) {
                case HANDLED -> ApiResponses.json(200, "{}");
                case REJECT_INSTRUCTION -> ApiResponses.json(200, "{\"instruction\":\"reject\"}");
            };
        }
        if (instruction.isEmpty()) {
            LOG.info("Not a voice task; leaving the reservation to its channel");
            return ApiResponses.json(200, "{}");
        }
        Instruction answer = instruction.get();
        LOG.info("Answering with the {} instruction: ringing {} from {}", answer instanceof dev.callcontrol.callsetup.CallInstruction ? "call" : "conference",
                Redact.phone(answer.to()), Redact.phone(answer.from()));
        return ApiResponses.json(200, AssignmentCallback.json(answer));
    }
}
