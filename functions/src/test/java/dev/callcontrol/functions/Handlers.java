package dev.callcontrol.functions;

import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;

/** The handlers over ports of the caller's choosing, for the warm-overhead benchmark in another package. */
public final class Handlers {
    private Handlers() {
    }

    public static ConferenceEventsFunction conferenceEvents(Config config, CallControl calls) {
        return new ConferenceEventsFunction(config, calls);
    }

    public static HoldFunction hold(Config config, CallControl calls) {
        return new HoldFunction(config, calls);
    }
}
