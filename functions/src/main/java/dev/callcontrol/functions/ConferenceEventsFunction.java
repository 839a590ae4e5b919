package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.ConferenceEvent;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * {@code POST /twilio/conference-events}: keeps the call record in step with the conference.
 * Events are applied by {@code SequenceNumber}, so repeats and late deliveries change nothing.
 * The first event of a call reads the task once to learn which leg is the customer's and which
 * worker was connected; every event costs one DynamoDB read and at most one write.
 */
public final class ConferenceEventsFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(ConferenceEventsFunction.class);

    private final CallStore store;
    private final Telephony telephony;

    public ConferenceEventsFunction() {
        this(Config.fromEnvironment());
    }

    public ConferenceEventsFunction(Config config) {
        this(config, Wiring.callStore(config), Wiring.telephony(config));
    }

    ConferenceEventsFunction(Config config, CallStore store, Telephony telephony) {
        super(config);
        this.store = store;
        this.telephony = telephony;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "conference events are POSTed");
        }
        ConferenceEvent event = ConferenceEvent.parse(request.form());
        CallLog.put(CallLog.CONFERENCE_SID, event.conferenceSid());
        CallLog.put(CallLog.CALL_SID, event.callSid());
        if (event.taskSid() == null) {
            LOG.info("Ignoring {} of a conference not named by a task", event.type());
            return ApiResponses.json(200, "{}");
        }
        CallLog.put(CallLog.TASK_SID, event.taskSid());
        // The first event of a call reads the task once (not again if a concurrent writer forces a retry).
        boolean unlabelled = event.isParticipantEvent() && Role.ofLabel(event.label()) == null;
        Telephony.TaskContext[] task = new Telephony.TaskContext[1];
        boolean[] looked = new boolean[1];
        Optional<CallRecord> updated = store.update(event.taskSid(), () -> new CallRecord(event.taskSid()), record -> {
            boolean learned = false;
            if (unlabelled && record.customerCallSid == null) {
                if (!looked[0]) {
                    looked[0] = true;
                    task[0] = telephony.task(event.taskSid()).orElse(null);
                }
                if (task[0] != null) {
                    record.customerCallSid = task[0].customerCallSid();
                    record.workerSid = task[0].workerSid();
                    learned = true;
                }
            }
            return record.apply(event) || learned;
        });
        LOG.info("Applied {} #{}: {}", event.type(), event.sequence(), updated.map(r -> r.status).orElse("no record"));
        return ApiResponses.json(200, "{}");
    }
}
