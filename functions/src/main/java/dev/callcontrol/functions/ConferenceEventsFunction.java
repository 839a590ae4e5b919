package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.ConferenceEvent;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * {@code POST /twilio/conference-events}: keeps the call record in step with the conference and
 * lets call control act on it (a transfer target joined, the last agent left, the conference
 * ended). Events are applied by {@code SequenceNumber}, so repeats and late deliveries change
 * nothing. The first event of a call reads the task once to learn which leg is the customer's and
 * which worker was connected; every event costs one DynamoDB read and at most one write.
 */
public final class ConferenceEventsFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(ConferenceEventsFunction.class);

    private final CallControl calls;

    public ConferenceEventsFunction() {
        this(Config.fromEnvironment());
    }

    public ConferenceEventsFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    ConferenceEventsFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "conference events are POSTed");
        }
        ConferenceEvent event = ConferenceEvent.parse(request.form());
        CallLog.put(CallLog.CONFERENCE_SID, event.conferenceSid());
        CallLog.put(CallLog.CALL_SID, event.callSid());
        CallLog.put(CallLog.TASK_SID, event.taskSid());
        Optional<CallRecord> updated = calls.onConferenceEvent(event);
        LOG.info("Applied {} #{}: {}", event.type(), event.sequence(), updated.map(r -> r.status).orElse("no record"));
        return ApiResponses.json(200, "{}");
    }
}
