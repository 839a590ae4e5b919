package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A third party (and a fourth, up to {@code MAX_PARTIES}) on a live call, the customer not held:
 * a worker through a TaskRouter task (as a transfer to a worker: the {@code call} instruction rings
 * them and their answered leg joins the conference), or a number dialled into the conference under
 * the toll-fraud guard (allow-list, deny-list, {@code EXTERNAL_CALL_TIME_LIMIT_SECONDS}, the
 * agent's dial rate). Any agent on the call may add a party and remove an added one; the customer
 * and the agents TaskRouter connected through the call's own task or a transfer are not removed
 * here (the customer's call ends by hanging up). What happens when parties leave or never answer
 * is {@link PartyEvents}'.
 *
 * <p>Which legs count towards the limit: the customer, every agent (the call's and added workers),
 * external numbers (added, or a transfer's), and parties still ringing; a supervisor monitoring,
 * whispering or barging does not.
 */
final class Parties {
    private static final Logger LOG = LoggerFactory.getLogger(Parties.class);
    /** The parties a record keeps: every active one, and the newest of those that ended. */
    static final int KEPT = 20;
    static final String FORM = "{\"to\": {\"worker\": \"WK...\"}} or {\"to\": {\"number\": \"+E.164\"}}";

    private final Ports ports;
    private final CallLookup lookup;
    private final TransferTargets targets;
    private final PartyEvents events;

    Parties(Ports ports, CallLookup lookup, TransferTargets targets, PartyEvents events) {
        this.ports = ports;
        this.lookup = lookup;
        this.targets = targets;
        this.events = events;
    }

    /** Adds a party: claimed in the record (within {@code maxParties}), then reached; answers the party. */
    AddedParty add(String taskSid, Principal principal, TransferTarget target, int maxParties) {
        if (target instanceof TransferTarget.ToQueue) {
            throw HttpError.badRequest("a party is a worker or a number: the body must be " + FORM);
        }
        CallRecord call = onTheCall(taskSid, principal, "add someone to");
        CallLookup.presentCustomer(call);
        String refusal = refusal(call, target, maxParties);
        if (refusal != null) {
            throw refused(refusal, maxParties);
        }
        // Checked after the cheap refusals, so that a refused request does not count against the agent's dial rate.
        CallRecord.Transfer resolved = targets.resolve(target, principal);
        AddedParty party = new AddedParty();
        party.id = UUID.randomUUID().toString();
        party.kind = resolved.target;
        party.to = resolved.to;
        party.state = AddedParty.STARTING;
        party.addedBy = principal.workerSid();
        party.addedAt = ports.clock().instant().toString();
        party.label = "number".equals(party.kind) ? Role.PARTY.label(party.id.replace("-", "")) : null;
        String[] claimRefusal = new String[1];
        ports.records().update(call.taskSid, () -> call, record -> {
            claimRefusal[0] = refusal(record, target, maxParties);
            if (claimRefusal[0] != null) {
                return false;
            }
            keep(record, party);
            return true;
        });
        if (claimRefusal[0] != null) {
            throw refused(claimRefusal[0], maxParties);
        }
        CallLog.put("PartyId", party.id);
        return reach(call, party, principal);
    }

    private AddedParty reach(CallRecord call, AddedParty party, Principal principal) {
        boolean toNumber = "number".equals(party.kind);
        Telephony telephony = ports.telephony();
        CallControl.Settings settings = ports.settings();
        String reached;
        try {
            reached = toNumber
                    ? telephony.addParticipant(call.conferenceSid, settings.callerId(), party.to, party.label,
                            ports.transferLegEvents(call.taskSid), settings.ringTimeoutSeconds())
                    : telephony.createTask(TransferTargets.transferAttributes(call, "worker", party.to, principal.workerSid(), "party", party.id),
                            CallControl.TRANSFER_PRIORITY, settings.transferTimeoutSeconds());
        } catch (RuntimeException e) {
            FollowUps.quietly("forgetting the party Twilio did not reach", () -> events.end(call.taskSid, p -> p.id.equals(party.id),
                    "twilio_error", false, false, principal.workerSid()));
            throw e;
        }
        boolean[] wanted = new boolean[1];
        Optional<CallRecord> ringing;
        try {
            ringing = ports.records().update(call.taskSid, () -> call, record -> {
                AddedParty claimed = find(record, p -> p.id.equals(party.id));
                wanted[0] = claimed != null && (claimed.waiting() || AddedParty.JOINED.equals(claimed.state));
                if (claimed == null) {
                    return false;
                }
                if (toNumber) {
                    claimed.callSid = reached;
                } else {
                    claimed.taskSid = reached;
                    record.tasks.putIfAbsent(reached, wanted[0] ? CallRecord.TASK_ROUTING : CallRecord.TASK_CANCELED);
                }
                if (AddedParty.STARTING.equals(claimed.state)) {
                    claimed.state = AddedParty.RINGING;
                }
                return true;
            });
        } catch (RuntimeException e) {
            // The party is reached but the record does not say so: withdrawn now; a task the undo misses is found by its id (PartyEvents.timeout).
            withdraw(toNumber, reached, "the party could not be recorded");
            FollowUps.quietly("forgetting the party that could not be recorded", () -> events.end(call.taskSid, p -> p.id.equals(party.id),
                    "twilio_error", false, false, principal.workerSid()));
            throw e;
        }
        if (!wanted[0]) {
            // The call ended (or the party was removed) while Twilio was asked: nobody waits for this party.
            withdraw(toNumber, reached, "the call ended before the party was reached");
            throw CallControlException.conflict("call_ended", "the call ended while the party was being reached");
        }
        if (!toNumber) {
            ports.records().alias(reached, call.taskSid);
        }
        LOG.info("Party added to the call: {}", toNumber ? "number dialled" : "worker's task created");
        CallRecord after = ringing.orElse(call);
        String failed = toNumber ? TransferTargets.unansweredBefore(after, reached) : null;
        if (failed != null) {
            // The number's participant-leave (participant_add_failed) landed before the record knew the leg.
            events.onUnanswered(call.taskSid, null, reached, failed);
            after = ports.records().find(call.taskSid).orElse(after);
        }
        AddedParty now = find(after, p -> p.id.equals(party.id));
        return now == null ? party : now;
    }

    private void withdraw(boolean toNumber, String reached, String why) {
        Telephony telephony = ports.telephony();
        if (toNumber) {
            FollowUps.quietly("hanging up a party's leg nobody waits for", () -> telephony.endCall(reached));
        } else {
            FollowUps.cancelTask(telephony, reached, why);
        }
    }

    /**
     * Removes an added party, named by its leg's call SID or, while a worker's phone still rings, its
     * task SID: a joined party's leg leaves the conference, a ringing number stops ringing, a worker's
     * task is withdrawn. A party that has already left is removed already (200).
     */
    AddedParty remove(String taskSid, Principal principal, String sid) {
        CallRecord call = onTheCall(taskSid, principal, "remove someone from");
        AddedParty party = find(call, p -> sid.equals(p.callSid) || sid.equals(p.taskSid));
        if (party == null) {
            if (sid.equals(call.customerCallSid)) {
                throw CallControlException.conflict("customer_not_removable",
                        "the customer is not removed from their own call: end it with POST /calls/{taskSid}/hangup");
            }
            throw new CallControlException(404, "no_party", "nobody with that SID was added to this call");
        }
        if (!party.active()) {
            return party;
        }
        // Claimed first, so that the leave (or cancellation) the removal causes reads as a removal, whenever it arrives.
        markRemovedBy(call, party, principal.workerSid());
        Telephony telephony = ports.telephony();
        try {
            if (AddedParty.JOINED.equals(party.state)) {
                telephony.removeParticipant(call.conferenceSid, party.callSid);
            } else if ("number".equals(party.kind) && party.callSid != null) {
                telephony.endCall(party.callSid);
            } else if (party.taskSid != null) {
                telephony.updateTask(party.taskSid, Telephony.TaskStatus.CANCELED, "the party was removed before joining");
            } else {
                throw CallControlException.conflict("party_starting", "the party is still being reached; try again in a moment");
            }
        } catch (RuntimeException e) {
            FollowUps.quietly("forgetting a removal that failed", () -> markRemovedBy(call, party, null));
            throw e;
        }
        LOG.info("Party removed from the call by an agent");
        ports.records().update(call.taskSid, () -> call, record -> {
            AddedParty removed = find(record, p -> p.id.equals(party.id));
            if (removed == null || !removed.waiting()) {
                return false;
            }
            // A party that never joined sends no leave: it ends here.
            removed.end("removed", ports.clock().instant().toString());
            if (removed.taskSid != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(removed.taskSid))) {
                record.tasks.put(removed.taskSid, CallRecord.TASK_CANCELED);
            }
            return true;
        });
        AddedParty now = ports.records().find(call.taskSid).map(record -> find(record, p -> p.id.equals(party.id))).orElse(null);
        return now == null ? party : now;
    }

    private void markRemovedBy(CallRecord call, AddedParty party, String workerSid) {
        ports.records().update(call.taskSid, () -> call, record -> {
            AddedParty claimed = find(record, p -> p.id.equals(party.id));
            if (claimed == null || !claimed.active()) {
                return false;
            }
            claimed.removedBy = workerSid;
            return true;
        });
    }

    /**
     * The live call, with the customer's conference, on which the caller is an agent now: the
     * connected agent or an added worker. Supervisors and agents who left get 403.
     */
    private CallRecord onTheCall(String taskSid, Principal principal, String action) {
        CallRecord call = lookup.liveCall(taskSid);
        boolean onIt = call.present(Role.AGENT).stream().anyMatch(leg -> principal.workerSid().equals(leg.workerSid));
        if (!onIt) {
            throw CallControlException.forbidden("only an agent on this call may " + action + " it");
        }
        return call;
    }

    /** Why a party may not be added to the call as it is now, or null: an error code. */
    private static String refusal(CallRecord record, TransferTarget target, int maxParties) {
        if (record.ended()) {
            return "call_ended";
        }
        if (TransferTargets.transferPending(record)) {
            return "transfer_in_progress";
        }
        if (target instanceof TransferTarget.ToWorker worker && onCall(record, worker.workerSid())) {
            return "already_on_call";
        }
        return count(record) >= maxParties ? "too_many_parties" : null;
    }

    private static CallControlException refused(String code, int maxParties) {
        return CallControlException.conflict(code, switch (code) {
            case "call_ended" -> "the call has ended";
            case "transfer_in_progress" -> "a transfer of this call is under way: finish or cancel it first";
            case "already_on_call" -> "that worker is on this call already, or is being added";
            default -> "the call has " + maxParties + " parties already (MAX_PARTIES): remove one first";
        });
    }

    /**
     * The legs that count towards {@code MAX_PARTIES}: the customer, agents and external numbers in
     * the conference, and added parties still on their way; not supervisors.
     */
    static int count(CallRecord record) {
        int count = 0;
        for (CallRecord.Leg leg : record.legs.values()) {
            if (leg.present && (leg.role == Role.CUSTOMER || leg.role == Role.AGENT || leg.role == Role.TRANSFER || leg.role == Role.PARTY)) {
                count++;
            }
        }
        if (record.parties != null) {
            for (AddedParty party : record.parties) {
                if (party.waiting()) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Whether a worker is on the call as an agent, or is being added. */
    private static boolean onCall(CallRecord record, String workerSid) {
        return record.present(Role.AGENT).stream().anyMatch(leg -> workerSid.equals(leg.workerSid))
                || find(record, p -> p.waiting() && workerSid.equals(p.to)) != null;
    }

    /** Whether the call has added parties on it or on their way (a transfer then waits until they are gone). */
    static boolean any(CallRecord record) {
        return find(record, AddedParty::active) != null;
    }

    static AddedParty find(CallRecord record, Predicate<AddedParty> which) {
        if (record.parties == null) {
            return null;
        }
        for (AddedParty party : record.parties) {
            if (which.test(party)) {
                return party;
            }
        }
        return null;
    }

    /** Adds a party to the record, dropping the oldest ended ones beyond {@link #KEPT}. */
    private static void keep(CallRecord record, AddedParty party) {
        if (record.parties == null) {
            record.parties = new ArrayList<>();
        }
        record.parties.add(party);
        for (int i = 0; i < record.parties.size() && record.parties.size() > KEPT; ) {
            if (record.parties.get(i).active()) {
                i++;
            } else {
                record.parties.remove(i);
            }
        }
    }
}
