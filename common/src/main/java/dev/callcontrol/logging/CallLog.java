package dev.callcontrol.logging;

import com.amazonaws.services.lambda.runtime.Context;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Structured JSON logging through Powertools' functional API: every line of an invocation carries
 * the Lambda context, the cold-start marker and the call identifiers that are known.
 */
public final class CallLog {
    public static final String TASK_SID = "TaskSid";
    public static final String CALL_SID = "CallSid";
    public static final String CONFERENCE_SID = "ConferenceSid";
    public static final String RESERVATION_SID = "ReservationSid";

    private CallLog() {
    }

    /** Runs one invocation with Powertools logging set up and torn down around it. */
    public static <T> T invocation(Context context, Supplier<T> work) {
        return PowertoolsLogging.withLogging(context, work);
    }

    /** Adds the call identifiers found among Twilio's parameters to every following log line. */
    public static void identify(Map<String, String> twilioParameters) {
        put(TASK_SID, twilioParameters.get("TaskSid"));
        put(CALL_SID, twilioParameters.get("CallSid"));
        put(CONFERENCE_SID, twilioParameters.get("ConferenceSid"));
        put(RESERVATION_SID, twilioParameters.get("ReservationSid"));
    }

    public static void put(String key, String value) {
        if (value != null && !value.isBlank()) {
            MDC.put(key, value);
        }
    }
}
