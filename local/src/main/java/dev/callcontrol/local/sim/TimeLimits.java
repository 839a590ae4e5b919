package dev.callcontrol.local.sim;

import java.time.Duration;

/**
 * A call's {@code TimeLimit}, as the Calls and Participants resources take it: the longest the call
 * may last, in seconds, after which Twilio ends it. Twilio does not say whether the time counts from
 * the answer or from the request, so the simulator plays either ({@code from-answer},
 * {@code from-created}); a call still ringing when its limit passes ends {@code no-answer}, one
 * connected ends {@code completed} as if hung up (in a conference it leaves as
 * {@code participant_hung_up}). Without a TimeLimit nothing is enforced.
 */
// [rule voice.call.time-limit]
final class TimeLimits {
    private TimeLimits() {
    }

    /** The request's TimeLimit in seconds, or null when it has none; refused unless a positive integer. */
    static Integer parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TwilioError(400, 20001, "TimeLimit must be an integer");
        }
        if (seconds < 1) {
            throw new TwilioError(400, 20001, "TimeLimit must be a positive number of seconds");
        }
        return seconds;
    }

    /** A call placed with a limit: under {@code from-created} its clock starts now. */
    static void placed(SimWorld world, SimCall call, Integer seconds) {
        call.timeLimitSeconds = seconds;
        if (seconds != null && world.rules.is("voice.call.time-limit", "from-created")) {
            start(world, call);
        }
    }

    /** The call was answered: under {@code from-answer} its clock starts now. */
    static void answered(SimWorld world, SimCall call) {
        if (call.timeLimitSeconds != null && call.limitTimer == null) {
            start(world, call);
        }
    }

    private static void start(SimWorld world, SimCall call) {
        call.limitTimer = world.clock.after(Duration.ofSeconds(call.timeLimitSeconds), "time limit of " + call.sid + " (" + call.to + ")", () -> {
            if (!call.live()) {
                return;
            }
            if (call.status.equals("in-progress")) {
                world.calls.end(call, "completed");
            } else {
                world.calls.unanswered(call, "no-answer");
            }
        });
    }
}
