package dev.callcontrol.calls;

import dev.callcontrol.http.HttpError;
import dev.callcontrol.metrics.CallMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Repairs what a lost webhook leaves behind. Twilio delivers a conference status callback once (and
 * retries only what its connection overrides ask for), so a {@code participant-leave} or a
 * {@code conference-end} that never arrives leaves the call's record believing what is no longer
 * true: the last agent still there, the conference still running. The reconciler visits every
 * live call ({@link LiveCalls}, never a scan), reads its conference from Twilio and, where the two
 * disagree, applies to the record the conference events that Twilio would have sent: a
 * {@code participant-join} for a connected participant the record does not have, a
 * {@code participant-leave} for a leg the record has and Twilio does not, a {@code conference-end}
 * for a conference that is over or gone. Each goes through {@link CallControl#onConferenceEvent},
 * the path a webhook takes, so the repair is the product's ordinary rule (a transfer target who
 * joined takes the customer off hold; the last agent leaving ends the conference; the conference
 * ending moves its tasks on) with the same conditional writes and the same Twilio requests.
 * Finally the last-agent rule is checked on what the record now says, so a customer left alone
 * because ending the conference failed the first time is not left alone for good.
 *
 * <p>It is safe to run twice at once and to race the webhooks: every event it applies is one
 * Twilio would have sent, events are applied by sequence number, and a record that changed within
 * {@code grace} is left for the webhooks that may still be on their way (Twilio retries within 15 s).
 * It bounds its Twilio requests per run: a run visits the live calls from an offset that moves
 * with the clock, so a run that cannot visit them all leaves the rest to the next runs, and a run
 * that Twilio rate-limits stops there.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Twilio requests a visit costs: the conference, and one page of its participants. */
    static final int REQUESTS_PER_VISIT = 2;
    /** A visit is not begun with less than this left of the invocation: one visit's requests and repairs fit in it. */
    static final long RESERVE_MILLIS = 10_000;

    /**
     * @param grace       a record changed more recently than this is not compared (its webhooks may be in flight)
     * @param maxRequests the most Twilio requests one run makes
     * @param period      how often the runs come, which moves the offset of the first call a run visits
     */
    public record Settings(Duration grace, int maxRequests, Duration period, Duration maxHold, Duration transferTimeout, Duration wrapUp) {
        public static final Duration GRACE = Duration.ofSeconds(20);
        public static final int MAX_REQUESTS = 600;
        /** {@code MAX_HOLD_SECONDS}'s default. */
        public static final Duration MAX_HOLD = Duration.ofSeconds(300);

        public Settings {
            if (grace.isNegative() || maxRequests < REQUESTS_PER_VISIT || period.isNegative() || period.isZero()
                    || maxHold.isNegative() || maxHold.isZero() || transferTimeout.isNegative() || transferTimeout.isZero() || wrapUp.isNegative()) {
                throw new IllegalArgumentException("reconciler settings out of range");
            }
        }

        /** With the default limits: {@code MAX_HOLD_SECONDS} 300, {@code TRANSFER_TIMEOUT_SECONDS} 120, no wrap-up limit. */
        public Settings(Duration grace, int maxRequests, Duration period) {
            this(grace, maxRequests, period, MAX_HOLD, Duration.ofSeconds(CallControl.Settings.TRANSFER_TIMEOUT_SECONDS));
        }

        /** With no wrap-up limit ({@code WRAP_UP_SECONDS} 0). */
        public Settings(Duration grace, int maxRequests, Duration period, Duration maxHold, Duration transferTimeout) {
            this(grace, maxRequests, period, maxHold, transferTimeout, Duration.ZERO);
        }
    }

    /**
     * What one run did: calls listed, visited, repaired (events applied, the last-agent rule, or a
     * limit the watchdog enforced), the watchdog's actions among them, and Twilio requests.
     */
    public record Outcome(int live, int visited, int repaired, int events, int limits, int twilioRequests, boolean stoppedEarly) {
        public Map<String, Object> view() {
            return Map.of("live", live, "visited", visited, "repaired", repaired, "events", events, "limits", limits,
                    "twilioRequests", twilioRequests, "stoppedEarly", stoppedEarly);
        }
    }

    private final CallRecords records;
    private final LiveCalls live;
    private final Telephony telephony;
    private final CallControl control;
    private final Settings settings;
    private final Clock clock;
    private final CallReports reports;
    private final CallMetrics metrics;

    public Reconciler(CallRecords records, LiveCalls live, Telephony telephony, CallControl control, Settings settings, Clock clock) {
        this(records, live, telephony, control, settings, clock, CallMetrics.NONE);
    }

    /**
     * A reconciler that counts its repairs ({@code Recoveries} by {@code Repair}): each lost conference
     * event applied ({@code lost_<event>}), the last-agent rule enforced ({@code last_agent_rule}), and
     * what the watchdog and the unfinished-transfer check did (their audit event).
     */
    public Reconciler(CallRecords records, LiveCalls live, Telephony telephony, CallControl control, Settings settings, Clock clock,
                      CallMetrics metrics) {
        this.metrics = metrics;
        this.records = records;
        this.live = live;
        this.telephony = telephony;
        this.control = control;
        this.settings = settings;
        this.clock = clock;
        this.reports = new CallReports(telephony, records);
    }

    public Outcome run() {
        Instant now = clock.instant();
        List<LiveCalls.Entry> calls = live.live();
        int visits = Math.min(calls.size(), settings.maxRequests() / REQUESTS_PER_VISIT);
        // A run that cannot visit every call goes on from where the last run stopped (the cursor), so that
        // successive runs cover them all, also when a run stops early (its deadline, a 429).
        int offset = 0;
        if (!calls.isEmpty() && visits < calls.size()) {
            String after = live.cursor().orElse("");
            while (offset < calls.size() && calls.get(offset).taskSid().compareTo(after) <= 0) {
                offset++;
            }
            offset %= calls.size();
        }
        String last = null;
        int visited = 0;
        int repaired = 0;
        int events = 0;
        int limits = 0;
        int requests = 0;
        boolean stoppedEarly = false;
        for (int i = 0; i < visits; i++) {
            if (dev.callcontrol.http.Deadline.remainingMillis() < RESERVE_MILLIS) {
                // What is left of the invocation is kept for the visit under way to finish; the next run goes on.
                stoppedEarly = true;
                break;
            }
            LiveCalls.Entry entry = calls.get((offset + i) % calls.size());
            String previous = last;
            last = entry.taskSid();
            if (entry.changedAt() != null && entry.changedAt().isAfter(now.minus(settings.grace()))) {
                continue;
            }
            if (requests + REQUESTS_PER_VISIT > settings.maxRequests()) {
                stoppedEarly = true;
                break;
            }
            try {
                visited++;
                Visit visit = visit(entry.taskSid());
                requests += visit.requests();
                if (visit.limit() != null) {
                    metrics.recovered(visit.limit());
                }
                if (visit.repaired()) {
                    repaired++;
                    events += visit.events();
                    limits += visit.limit() == null ? 0 : 1;
                }
            } catch (HttpError e) {
                // A visit that failed made requests too: counted as a visit's.
                requests += REQUESTS_PER_VISIT;
                if ("twilio_rate_limited".equals(e.code())) {
                    // Not visited: the next run starts with it.
                    last = previous;
                    LOG.warn("Twilio is limiting requests; the reconciler stops this run after {} calls", visited);
                    stoppedEarly = true;
                    break;
                }
                LOG.warn("Reconciling task {} failed ({}); the next run tries again", entry.taskSid(), e.getMessage());
            } catch (RuntimeException e) {
                requests += REQUESTS_PER_VISIT;
                LOG.warn("Reconciling task {} failed; the next run tries again", entry.taskSid(), e);
            }
        }
        if (last != null && visits < calls.size()) {
            String stoppedAt = last;
            try {
                live.cursor(stoppedAt);
            } catch (RuntimeException e) {
                // The next run starts from the old cursor: calls are visited again, none is skipped.
                LOG.warn("The reconciler's cursor could not be kept; the next run starts where this one did", e);
            }
        }
        Outcome outcome = new Outcome(calls.size(), visited, repaired, events, limits, requests, stoppedEarly || visits < calls.size());
        if (repaired > 0 || outcome.stoppedEarly()) {
            LOG.info("Reconciled {} of {} live calls: {} repaired with {} events, {} Twilio requests", visited, calls.size(), repaired, events, requests);
        }
        return outcome;
    }

    /**
     * What one visit did: the events it applied, whether it ended a conference the last-agent rule
     * says should be over, and what the watchdog did (null: nothing).
     */
    record Visit(int events, boolean endedConference, String limit, int requests) {
        static final Visit NOTHING = new Visit(0, false, null, 0);

        Visit(int events, boolean endedConference, String limit) {
            this(events, endedConference, limit, REQUESTS_PER_VISIT);
        }

        boolean repaired() {
            return events > 0 || endedConference || limit != null;
        }
    }

    /** Compares one call with Twilio and repairs it. */
    Visit visit(String taskSid) {
        Optional<CallRecord> found = records.find(taskSid);
        if (found.isEmpty() || found.get().aliasOf != null) {
            return Visit.NOTHING;
        }
        if (found.get().ended()) {
            return found.get().settledAt == null ? settle(found.get()) : Visit.NOTHING;
        }
        if (found.get().conferenceSid == null) {
            return Visit.NOTHING;
        }
        CallRecord record = found.get();
        Optional<Telephony.ConferenceState> state = telephony.conference(record.conferenceSid);
        List<ConferenceEvent> missed = missedEvents(record, state);
        for (ConferenceEvent event : missed) {
            LOG.info("Reconciler: Twilio says {} of call {} happened and the product never heard of it; applying it", event.type(), event.callSid());
            control.onConferenceEvent(event);
            metrics.recovered("lost_" + event.type().replace('-', '_'));
        }
        // With events applied, the product's own rules have acted on them; without, the record and Twilio agree,
        // and what is left to check is whether an effect of the rules (ending the conference) failed.
        if (missed.isEmpty() && state.isPresent() && !state.get().ended() && lastAgentRuleBroken(record, state.get())) {
            LOG.info("Reconciler: the customer is alone in the conference with no transfer coming; ending it (the last-agent rule)");
            FollowUps.quietly("recording who ended the call", () -> records.update(record.taskSid, () -> record, r -> {
                boolean unclaimed = r.endedBy == null && !r.ended();
                CallReports.endedBy(r, CallReports.PRODUCT);
                return unclaimed;
            }));
            telephony.endConference(record.conferenceSid);
            metrics.recovered("last_agent_rule");
            return new Visit(0, true, null);
        }
        // The limits, on the record as the repairs (if any) left it.
        CallRecord now = missed.isEmpty() ? record : records.find(taskSid).orElse(null);
        String limit = control.watch(now, settings.maxHold(), settings.transferTimeout());
        int wrapUpRequests = wrapUps(limit == null ? now : records.find(taskSid).orElse(null));
        return new Visit(missed.size(), false, limit, REQUESTS_PER_VISIT + wrapUpRequests);
    }

    /**
     * An ended call whose tasks have not been seen to move on: each task of the record is read from
     * TaskRouter and, where TaskRouter still has it open (pending, reserved, assigned), moved as the
     * record says it went: a task nobody took is canceled, an assigned one wrapped, a consulted
     * target's completed. This is what a wrap-up or a cancel that failed when the call ended (the
     * conference-end's effects, only logged then) comes to. The record is then settled and leaves
     * the live calls. A failed request leaves it unsettled, for the next run.
     */
    Visit settle(CallRecord record) {
        Set<String> moved = new java.util.LinkedHashSet<>();
        boolean wrapping = false;
        int requests = 0;
        Instant now = clock.instant();
        for (Map.Entry<String, String> task : record.tasks.entrySet()) {
            Optional<Telephony.TaskState> state = telephony.taskStatus(task.getKey());
            requests++;
            if (state.isEmpty()) {
                continue;
            }
            String twilio = state.get().assignmentStatus();
            Telephony.TaskStatus move = settlement(task.getValue(), twilio);
            if (move != null) {
                LOG.info("Reconciler: task {} of an ended call is still {} in TaskRouter; moving it to {}", task.getKey(), twilio, move);
                telephony.updateTask(task.getKey(), move, "the call ended");
                requests++;
                moved.add(task.getKey() + " " + twilio + " -> " + move.name().toLowerCase(java.util.Locale.ROOT));
            } else if ("wrapping".equals(twilio) && !settings.wrapUp().isZero()) {
                if (completeIfOverdue(record, task.getKey(), state.get(), now)) {
                    requests += 2;
                } else {
                    // Still within WRAP_UP_SECONDS: the call stays live until the agent or the timer ends it.
                    wrapping = true;
                }
            }
        }
        if (!CallReports.reported(record)) {
            // A report the call's end could not write (its effects only logged then): written now, or on the next run.
            requests += 2 * record.tasks.size();
            wrapping |= !reports.writeFinal(record);
        }
        boolean settled = !wrapping;
        records.update(record.taskSid, () -> record, r -> {
            if (!r.ended() || r.settledAt != null || (!settled && moved.isEmpty())) {
                return false;
            }
            if (settled) {
                r.settledAt = now.toString();
            }
            if (!moved.isEmpty()) {
                r.audit(now, "reconciler", "tasks_settled", "TaskRouter still had tasks of the ended call open: " + String.join(", ", moved));
            }
            return true;
        });
        return new Visit(0, false, moved.isEmpty() ? null : "tasks_settled", requests);
    }

    /**
     * A live call's tasks in wrap-up ({@code WRAP_UP_SECONDS}): each the record says is wrapping is
     * read from TaskRouter, and completed once its wrap-up has lasted the limit. Answers the requests made.
     */
    private int wrapUps(CallRecord record) {
        if (settings.wrapUp().isZero() || record == null || record.ended()) {
            return 0;
        }
        int requests = 0;
        Instant now = clock.instant();
        for (Map.Entry<String, String> task : record.tasks.entrySet()) {
            if (!CallRecord.TASK_WRAPPING.equals(task.getValue())) {
                continue;
            }
            Optional<Telephony.TaskState> state = telephony.taskStatus(task.getKey());
            requests++;
            if (state.isPresent() && "wrapping".equals(state.get().assignmentStatus()) && completeIfOverdue(record, task.getKey(), state.get(), now)) {
                requests += 2;
            } else if (state.isPresent() && !"wrapping".equals(state.get().assignmentStatus()) && !"assigned".equals(state.get().assignmentStatus())) {
                // Completed in the agent's own UI (or canceled): the record learns it, so it is not read again.
                String done = state.get().assignmentStatus();
                records.update(record.taskSid, () -> record, r -> {
                    if (!CallRecord.TASK_WRAPPING.equals(r.tasks.get(task.getKey()))) {
                        return false;
                    }
                    r.tasks.put(task.getKey(), "canceled".equals(done) ? CallRecord.TASK_CANCELED : CallRecord.TASK_COMPLETED);
                    return true;
                });
            }
        }
        return requests;
    }

    /** Completes a task whose wrap-up (since TaskRouter last changed it) has lasted {@code WRAP_UP_SECONDS}; answers whether it did. */
    private boolean completeIfOverdue(CallRecord record, String taskSid, Telephony.TaskState state, Instant now) {
        if (state.updatedAt() == null || state.updatedAt().plus(settings.wrapUp()).isAfter(now)) {
            return false;
        }
        LOG.info("Reconciler: task {} has been in wrap-up since {}, past WRAP_UP_SECONDS; completing it", taskSid, state.updatedAt());
        Map<String, Object> added = new java.util.LinkedHashMap<>(CallReports.report(record, taskSid, record.tasks.get(taskSid)));
        added.put("wrap_up", Map.of("disposition", WrapUp.TIMED_OUT, "by", "product"));
        telephony.completeTask(taskSid, added, "wrap-up time limit reached");
        records.update(record.taskSid, () -> record, r -> {
            r.tasks.put(taskSid, CallRecord.TASK_COMPLETED);
            r.audit(now, "reconciler", "wrap_up_timed_out", "task " + taskSid + " in wrap-up since " + state.updatedAt()
                    + ", completed after " + settings.wrapUp().toSeconds() + " s");
            return true;
        });
        return true;
    }

    /** Where a task of an ended call must go, from what the record says of it and what TaskRouter says; null when it is where it belongs. */
    static Telephony.TaskStatus settlement(String recorded, String twilio) {
        boolean untaken = "pending".equals(twilio) || "reserved".equals(twilio);
        if (untaken) {
            return Telephony.TaskStatus.CANCELED;
        }
        if (CallRecord.TASK_COMPLETED.equals(recorded)) {
            return "assigned".equals(twilio) || "wrapping".equals(twilio) ? Telephony.TaskStatus.COMPLETED : null;
        }
        return "assigned".equals(twilio) ? Telephony.TaskStatus.WRAPPING : null;
    }

    /** The events Twilio would have sent for the record to say what Twilio says now: joins first, then leaves, then the end. */
    static List<ConferenceEvent> missedEvents(CallRecord record, Optional<Telephony.ConferenceState> state) {
        long sequence = record.endedSequence;
        for (CallRecord.Leg leg : record.legs.values()) {
            sequence = Math.max(sequence, leg.sequence);
        }
        List<ConferenceEvent> events = new ArrayList<>();
        if (state.isEmpty() || state.get().ended()) {
            events.add(new ConferenceEvent(record.conferenceSid, record.taskSid, "conference-end", sequence + 1, null, null,
                    false, false, false, null, null, null, null));
            return events;
        }
        Set<String> listed = new HashSet<>();
        for (Telephony.ConferenceParticipant participant : state.get().participants()) {
            listed.add(participant.callSid());
            CallRecord.Leg leg = record.legs.get(participant.callSid());
            if (participant.connected() && (leg == null || !leg.present)) {
                events.add(new ConferenceEvent(record.conferenceSid, record.taskSid, "participant-join", ++sequence, participant.callSid(),
                        participant.label(), participant.hold(), participant.muted(), participant.coaching(), participant.callSidToCoach(),
                        null, null, null));
            } else if (participant.connected() && participant.hold() != leg.hold) {
                // A hold (or resume) Twilio carried out that the record never heard of: a lost participant-hold, or a
                // command whose write failed after its request. The watchdog's clock starts when the record learns it.
                events.add(new ConferenceEvent(record.conferenceSid, record.taskSid, participant.hold() ? "participant-hold" : "participant-unhold",
                        ++sequence, participant.callSid(), participant.label(), participant.hold(), participant.muted(), participant.coaching(),
                        participant.callSidToCoach(), null, null, null));
            }
        }
        for (CallRecord.Leg leg : record.legs.values()) {
            if (leg.present && !listed.contains(leg.callSid)) {
                events.add(new ConferenceEvent(record.conferenceSid, record.taskSid, "participant-leave", ++sequence, leg.callSid, leg.label,
                        false, false, false, null, null, "completed", null));
            }
        }
        return events;
    }

    /** A customer in the conference with no agent, no transfer target and no transfer coming, by the record and by Twilio. */
    static boolean lastAgentRuleBroken(CallRecord record, Telephony.ConferenceState state) {
        if (record == null || record.ended() || TransferTargets.transferPending(record)) {
            return false;
        }
        CallRecord.Leg customer = record.customer();
        if (customer == null || !customer.present || !record.present(Role.AGENT).isEmpty() || !record.present(Role.TRANSFER).isEmpty()) {
            return false;
        }
        // Twilio's list decides: the customer there and nobody else connected who could be an agent the record has not placed.
        boolean customerThere = false;
        for (Telephony.ConferenceParticipant participant : state.participants()) {
            if (participant.callSid().equals(customer.callSid)) {
                customerThere = true;
            } else if (participant.connected()) {
                CallRecord.Leg leg = record.legs.get(participant.callSid());
                if (leg == null || leg.role == Role.AGENT || leg.role == Role.TRANSFER) {
                    return false;
                }
            }
        }
        return customerThere;
    }
}
