package dev.callcontrol.local.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The instant of the current scheduled run of {@link ReconcileScale}: moved a period on after each. */
final class MovingClock extends Clock {
    private Instant now = Instant.now();

    void advance(Duration by) {
        now = now.plus(by);
    }

    void atLeast(Instant instant) {
        if (now.isBefore(instant)) {
            now = instant;
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
