package dev.callcontrol.local.sim;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The simulator's time. It stands still until {@code POST /sim/clock/advance} moves it, so ring
 * timeouts, reservation timeouts and the length of a {@code <Say>} are deadlines that tests reach
 * on purpose, never by sleeping. Used only under the simulator's lock.
 */
final class SimClock {
    /** Something due at a moment; cancelled timers are skipped. */
    static final class Timer {
        final Instant at;
        final long order;
        final String what;
        final Runnable action;
        private boolean cancelled;

        private Timer(Instant at, long order, String what, Runnable action) {
            this.at = at;
            this.order = order;
            this.what = what;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparing((Timer t) -> t.at).thenComparingLong(t -> t.order));
    /** Volatile: the product reads it, through {@link TwilioSimulator#clock()}, from its own threads. */
    private volatile Instant now;
    private long order;

    SimClock(Instant start) {
        this.now = start.truncatedTo(ChronoUnit.SECONDS);
    }

    /** Cancels a timer that may not have been set. */
    static void cancel(Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    Instant now() {
        return now;
    }

    Timer after(Duration delay, String what, Runnable action) {
        Timer timer = new Timer(now.plus(delay), order++, what, action);
        timers.add(timer);
        return timer;
    }

    /**
     * Removes and returns the earliest timer due at or before {@code target}, with the clock set to
     * its moment; or, when none is due, sets the clock to {@code target} and returns null.
     */
    Timer nextDue(Instant target) {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        Timer next = timers.peek();
        if (next != null && !next.at.isAfter(target)) {
            timers.poll();
            if (next.at.isAfter(now)) {
                now = next.at;
            }
            return next;
        }
        if (target.isAfter(now)) {
            now = target;
        }
        return null;
    }

    /** When the earliest timer is due, or null when none is set. */
    Instant nextAt() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        return timers.isEmpty() ? null : timers.peek().at;
    }

    /** Sets the clock forward to {@code moment} (never back), for something that is not a timer (a schedule). */
    void moveTo(Instant moment) {
        if (moment.isAfter(now)) {
            now = moment;
        }
    }

    /** What is due and when, for {@code GET /sim/clock}. */
    Map<String, Object> describe() {
        List<Map<String, Object>> pending = new ArrayList<>();
        timers.stream().filter(t -> !t.cancelled).sorted(Comparator.comparing((Timer t) -> t.at).thenComparingLong(t -> t.order))
                .forEach(t -> pending.add(Map.of("at", t.at.toString(), "inSeconds", Duration.between(now, t.at).toSeconds(), "what", t.what)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now.toString());
        out.put("timers", pending);
        return out;
    }
}
