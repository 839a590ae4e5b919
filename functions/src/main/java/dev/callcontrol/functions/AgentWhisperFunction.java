package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.twilio.twiml.voice.Conference;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.Role;
import dev.callcontrol.callsetup.CallSetup;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.LegTwiml;
import dev.callcontrol.twilio.Sids;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /twilio/agent-whisper?call=WT…&worker=WK…&reservation=WR…}: the TwiML the agent's
 * answered leg runs when the pre-call whisper is on (the {@code call} instruction's {@code url}).
 * It accepts the agent's reservation (the instruction does not); then the agent hears a
 * summary of the call, then joins the conference named by the task, which starts it and sets the
 * conference events callback (the first participant's callback is the one Twilio uses). The
 * caller, still in the queue, hears its music and never the whisper; the agent's join brings them
 * in. An agent who answers after the caller hung up hears so and the leg ends.
 */
public final class AgentWhisperFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(AgentWhisperFunction.class);

    private final CallControl calls;
    private final String conferenceEvents;

    public AgentWhisperFunction() {
        this(Config.fromEnvironment());
    }

    public AgentWhisperFunction(Config config) {
        this(config, Wiring.callControlWithoutRecords(config));
    }

    AgentWhisperFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
        this.conferenceEvents = dev.callcontrol.twilio.WebhookUrls.withRetries(config.publicBaseUrl() + CallSetup.CONFERENCE_EVENTS_PATH);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method()) && !"GET".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "the whisper's TwiML is fetched with POST or GET");
        }
        String task = request.queryParameter("call", Sids.TASK);
        String worker = request.queryParameter("worker", Sids.WORKER);
        String reservation = request.optionalQueryParameter("reservation", Sids.RESERVATION);
        CallLog.put(CallLog.TASK_SID, task);
        CallLog.put(CallLog.RESERVATION_SID, reservation);
        Optional<String> whisper = calls.agentWhisper(task, reservation);
        if (whisper.isEmpty()) {
            LOG.info("Agent answered after the caller left, or their reservation is gone");
            return ApiResponses.twiml(LegTwiml.sayAndHangUp("Sorry, the caller is no longer waiting."));
        }
        List<Conference.Event> events = CallSetup.CONFERENCE_EVENTS.stream()
                .map(e -> Conference.Event.valueOf(e.toUpperCase(Locale.ROOT))).toList();
        Conference conference = LegTwiml.join(task, Role.AGENT.label(worker, task))
                .statusCallback(conferenceEvents)
                .statusCallbackMethod(com.twilio.http.HttpMethod.POST)
                .statusCallbackEvents(events)
                .build();
        LOG.info("Whispering the call summary to the agent, then joining them");
        return ApiResponses.twiml(LegTwiml.dial(conference, whisper.get()));
    }
}
