package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Call control in the blueprint's terms: what the agent asks for (hold, cold transfer) and what
 * the product does when the conference changes (a transfer target joins, the last agent leaves,
 * the conference ends). It talks only to its ports: {@link CallRecords} for state and
 * {@link Telephony} for Twilio. Independent Twilio requests go out side by side; each step that
 * depends on another waits for it.
 */
public final class CallControl {
    private static final Logger LOG = LoggerFactory.getLogger(CallControl.class);

    /** Transfer tasks jump the queue of fresh calls: the customer has already waited once. */
    public static final int TRANSFER_PRIORITY = 10;
    /** A customer whose transfer failed goes back in the queue ahead of everyone else. */
    public static final int REQUEUE_PRIORITY = 20;
    /** An agent's own outbound call goes ahead of anything else waiting for them. */
    public static final int OUTBOUND_PRIORITY = 50;
    /** Call statuses of a transfer leg that mean the target never took the call. */
    private static final Set<String> UNANSWERED = Set.of("busy", "no-answer", "failed", "canceled");
    /** Attributes of the original task that describe routing, not the caller: a transfer task sets its own. */
    private static final Set<String> ROUTING_ATTRIBUTES = Set.of("call_sid", "conference", "transfer", "requested_agent", "desired_queue", "outbound_to");

    /** Paths of the product's own routes that Twilio is sent to. */
    public static final String HOLD_MUSIC_PATH = "/twilio/hold-music";
    public static final String SUPERVISOR_LEG_PATH = "/twilio/supervisor-leg";
    public static final String CALL_EVENTS_PATH = "/twilio/call-events";

    /** Supervisor modes and how each one is heard. */
    public enum Mode {
        /** Hears both sides, heard by nobody. */
        MONITOR(true, false),
        /** Heard by the agent only. */
        WHISPER(false, true),
        /** Heard by everyone. */
        BARGE(false, false);

        final boolean muted;
        final boolean coaching;

        Mode(boolean muted, boolean coaching) {
            this.muted = muted;
            this.coaching = coaching;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode a request names, or a 400 that lists the modes. */
        public static Mode of(String name) {
            for (Mode mode : values()) {
                if (mode.label().equals(name)) {
                    return mode;
                }
            }
            throw HttpError.badRequest("mode must be \"monitor\", \"whisper\" or \"barge\"");
        }
    }

    /**
     * What call control needs to know about its deployment.
     *
     * @param publicBaseUrl      where Twilio reaches the product's routes
     * @param callerId           caller ID of the calls the product places
     * @param ringTimeoutSeconds how long to ring a supervisor or an external number
     * @param numberPrefixes     E.164 prefixes a transfer may dial; none when empty
     */
    public record Settings(String publicBaseUrl, String callerId, int ringTimeoutSeconds, List<String> numberPrefixes) {
        public Settings {
            numberPrefixes = List.copyOf(numberPrefixes);
        }
    }

    /** How a supervisor's answered leg joins: the mode, and the agent's leg to coach in whisper mode. */
    public record SupervisorJoin(Mode mode, String coachCallSid) {
    }

    private final CallRecords records;
    private final Telephony telephony;
    private final Settings settings;
    private final String holdUrl;
    private final WarmTransfers warm;

    public CallControl(CallRecords records, Telephony telephony, Settings settings) {
        this(records, telephony, settings, java.time.Clock.systemUTC());
    }

    public CallControl(CallRecords records, Telephony telephony, Settings settings, java.time.Clock clock) {
        this.records = records;
        this.telephony = telephony;
        this.settings = settings;
        this.holdUrl = settings.publicBaseUrl() + HOLD_MUSIC_PATH;
        this.warm = new WarmTransfers(this, records, telephony, settings, holdUrl, clock);
    }

    /** Warm transfers of these calls. */
    public WarmTransfers warm() {
        return warm;
    }

    // ------------------------------------------------------------------ what agents ask for

    /**
     * Holds or resumes the customer: one Twilio request. It is sent even when the record says the
     * customer is already so: a request Twilio carried out but answered with a failure leaves the
     * record behind, and the agent's next press must still reach the call.
     */
    public CallRecord hold(String taskSid, Principal principal, boolean hold) {
        CallRecord call = connectedCall(taskSid, principal, "hold");
        CallRecord.Leg customer = presentCustomer(call);
        telephony.hold(call.conferenceSid, customer.callSid, hold, holdUrl);
        LOG.info(hold ? "Customer held" : "Customer resumed");
        return records.update(call.taskSid, () -> call, record -> {
            CallRecord.Leg leg = record.customer();
            if (leg == null || leg.hold == hold) {
                return false;
            }
            leg.hold = hold;
            return true;
        }).orElse(call);
    }

    /**
     * Cold transfer, in the blueprint's order and in two steps: (1) hold the customer while creating
     * the target's task (a worker or a queue) or dialling the number into the conference, then (2)
     * remove the agent while moving their task to wrapping. The customer waits on hold music until
     * the target joins; the join takes them off hold. Nothing is half-done: if step 1 fails, what it
     * did is undone.
     */
    public CallRecord coldTransfer(String taskSid, Principal principal, TransferTarget target) {
        CallRecord call = connectedCall(taskSid, principal, "transfer");
        CallRecord.Leg customer = presentCustomer(call);
        CallRecord.Leg agent = call.agent();
        if (transferPending(call)) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way");
        }
        CallRecord.Transfer transfer = resolve(target, principal);
        transfer.state = "starting";
        transfer.fromWorkerSid = principal.workerSid();
        transfer.fallbackQueue = call.queue;
        boolean toNumber = "number".equals(transfer.target);
        claimTransfer(call, transfer);

        // Step 1: hold the customer and create the target's task, side by side.
        boolean wasHeld = customer.hold;
        Map<String, Object> attributes = transferAttributes(call, transfer, principal.workerSid());
        String legEvents = settings.publicBaseUrl() + CALL_EVENTS_PATH + "?call=" + call.taskSid + "&leg=transfer";
        var step1 = Concurrently.run(
                () -> {
                    // Always sent: the record's hold flag may not yet reflect a resume the agent has just made.
                    telephony.hold(call.conferenceSid, customer.callSid, true, holdUrl);
                    return true;
                },
                () -> toNumber
                        ? telephony.addParticipant(call.conferenceSid, settings.callerId(), transfer.to, Role.TRANSFER.label(),
                                legEvents, settings.ringTimeoutSeconds())
                        : telephony.createTask(attributes, TRANSFER_PRIORITY));
        if (!step1.first().ok() || !step1.second().ok()) {
            if (step1.second().ok() && toNumber) {
                quietly("hanging up the external leg of an abandoned transfer", () -> telephony.endCall(step1.second().value()));
            } else if (step1.second().ok()) {
                cancelQuietly(step1.second().value(), "transfer abandoned: the customer could not be held");
            }
            if (!wasHeld) {
                // Even when the hold itself failed: Twilio may have carried it out before failing.
                quietly("resuming the customer after a failed transfer", () -> telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl));
            }
            records.update(call.taskSid, () -> call, record -> {
                if (record.transfer == null || !"starting".equals(record.transfer.state)) {
                    return false;
                }
                record.transfer = null;
                return true;
            });
            throw step1.first().ok() ? step1.second().failure() : step1.first().failure();
        }
        String reached = step1.second().value();
        String transferTask = toNumber ? null : reached;
        CallLog.put(toNumber ? "TransferCallSid" : "TransferTaskSid", reached);
        LOG.info("Cold transfer to a {} started: customer held, {}", transfer.target, toNumber ? "number dialled" : "task created");

        // The record says a transfer is pending before the agent leaves, so that their leaving does not end the call.
        CallRecord routing = records.update(call.taskSid, () -> call, record -> {
            CallRecord.Transfer pending = record.transfer;
            if (pending != null && "starting".equals(pending.state)) {
                pending.taskSid = transferTask;
                pending.callSid = toNumber ? reached : null;
                pending.state = "routing";
            }
            if (transferTask != null) {
                record.tasks.putIfAbsent(transferTask, CallRecord.TASK_ROUTING);
            }
            if (agent != null && agent.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(agent.taskSid))) {
                record.tasks.put(agent.taskSid, CallRecord.TASK_WRAPPING);
            }
            CallRecord.Leg held = record.customer();
            if (held != null) {
                held.hold = true;
            }
            return true;
        }).orElse(call);
        if (transferTask != null) {
            records.alias(transferTask, call.taskSid);
        }

        // Step 2: the agent leaves and their task moves to wrapping, side by side.
        if (agent != null) {
            var step2 = Concurrently.run(
                    () -> telephony.removeParticipant(call.conferenceSid, agent.callSid),
                    () -> agent.taskSid == null || telephony.updateTask(agent.taskSid, Telephony.TaskStatus.WRAPPING, null));
            if (!step2.first().ok()) {
                LOG.error("The transferring agent's leg could not be removed; they must hang up themselves", step2.first().failure());
            }
            if (!step2.second().ok()) {
                LOG.error("The transferring agent's task could not be moved to wrapping", step2.second().failure());
            }
        }
        return routing;
    }

    /**
     * An outbound call for the calling agent, placed the way TaskRouter places them: a task for that
     * agent ({@code requested_agent}) whose attributes carry {@code outbound_to}. The assignment
     * callback answers it with the {@code conference} instruction, so TaskRouter rings the agent
     * first and then dials the customer into the conference named by the task; from then on it is
     * a call like any other. One request; answers the new task's SID.
     */
    public String dialOut(Principal principal, String number) {
        if (!TransferTarget.E164.matcher(number).matches()) {
            throw HttpError.badRequest("to must be an E.164 number: +, the country code and up to 14 more digits");
        }
        requireDialable(number);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("direction", "outbound");
        attributes.put("outbound_to", number);
        attributes.put("requested_agent", principal.workerSid());
        String task = telephony.createTask(attributes, OUTBOUND_PRIORITY);
        CallLog.put(CallLog.TASK_SID, task);
        LOG.info("Outbound call requested; TaskRouter rings the agent, then the customer");
        return task;
    }

    /**
     * Ends the call for everyone: one request that ends the conference. The conference's end then
     * moves every task of the call to wrap-up (see {@link #onConferenceEvent}).
     */
    public CallRecord hangup(String taskSid, Principal principal) {
        CallRecord call = principal.supervisor() ? liveCall(taskSid) : connectedCall(taskSid, principal, "hang up");
        if (!telephony.endConference(call.conferenceSid)) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
        LOG.info("Call ended for everyone by {}", principal.supervisor() ? "a supervisor" : "the agent");
        return call;
    }

    /**
     * Joins the calling supervisor in a mode, or switches the mode of a supervisor already on the
     * call. Joining dials the supervisor's {@code contact_uri} (one request; the worker is read from
     * a per-container cache); switching updates their participant (one request).
     */
    public CallRecord supervise(String taskSid, Principal principal, Mode mode) {
        requireSupervisor(principal);
        CallRecord call = liveCall(taskSid);
        CallRecord.Supervision current = call.supervisor;
        if (current != null && !current.workerSid.equals(principal.workerSid())) {
            throw CallControlException.conflict("already_supervised", "another supervisor is on this call");
        }
        CallRecord.Leg agent = call.agent();
        if (mode == Mode.WHISPER && agent == null) {
            throw CallControlException.conflict("no_agent", "there is no agent on the call to whisper to");
        }
        if (current != null && mode.label().equals(current.mode)) {
            return call;
        }
        if (current != null && "joined".equals(current.state)) {
            telephony.updateParticipant(call.conferenceSid, current.callSid, mode.muted, mode.coaching, mode.coaching ? agent.callSid : null);
            LOG.info("Supervisor switched to {}", mode.label());
            return setSupervisorMode(call, mode);
        }
        if (current != null) {
            // Still ringing: the leg's TwiML reads the mode when the supervisor answers.
            return setSupervisorMode(call, mode);
        }
        Telephony.Worker worker = telephony.worker(principal.workerSid())
                .orElseThrow(() -> CallControlException.forbidden("the workspace has no worker " + principal.workerSid()));
        if (worker.contactUri() == null) {
            throw CallControlException.conflict("no_contact_uri", "worker " + principal.workerSid() + " has no contact_uri to ring");
        }
        boolean[] taken = new boolean[1];
        records.update(call.taskSid, () -> call, record -> {
            taken[0] = record.supervisor != null || record.ended();
            if (taken[0]) {
                return false;
            }
            record.supervisor = new CallRecord.Supervision();
            record.supervisor.workerSid = principal.workerSid();
            record.supervisor.mode = mode.label();
            record.supervisor.state = "dialing";
            return true;
        });
        if (taken[0]) {
            throw CallControlException.conflict("already_supervised", "a supervisor is already joining this call, or it ended");
        }
        String query = "?call=" + call.taskSid + "&supervisor=" + principal.workerSid();
        String legSid;
        try {
            legSid = telephony.dial(settings.callerId(), worker.contactUri(), settings.publicBaseUrl() + SUPERVISOR_LEG_PATH + query,
                    settings.publicBaseUrl() + CALL_EVENTS_PATH + query, settings.ringTimeoutSeconds());
        } catch (RuntimeException e) {
            clearSupervisor(call.taskSid, principal.workerSid(), null);
            throw e;
        }
        LOG.info("Dialling the supervisor to {}", mode.label());
        return records.update(call.taskSid, () -> call, record -> {
            if (record.supervisor == null || !principal.workerSid().equals(record.supervisor.workerSid) || record.supervisor.callSid != null) {
                return false;
            }
            record.supervisor.callSid = legSid;
            return true;
        }).orElse(call);
    }

    /** Takes the supervisor off the call (or stops their phone ringing). Nothing changes for the others. */
    public CallRecord stopSupervising(String taskSid, Principal principal) {
        requireSupervisor(principal);
        CallRecord call = records.find(taskSid).orElseThrow(() -> CallControlException.notFound("no call for task " + taskSid));
        CallRecord.Supervision current = call.supervisor;
        if (current == null) {
            return call;
        }
        if (current.callSid != null) {
            if ("joined".equals(current.state)) {
                telephony.removeParticipant(call.conferenceSid, current.callSid);
            } else {
                telephony.endCall(current.callSid);
            }
        }
        LOG.info("Supervisor left the call");
        return clearSupervisor(call.taskSid, current.workerSid, current.callSid).orElse(call);
    }

    /**
     * How a supervisor's answered leg should join, or empty when it should not (the call ended,
     * or the supervisor was taken off while their phone rang).
     */
    public Optional<SupervisorJoin> supervisorJoin(String callTaskSid, String workerSid) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.ended() || call.conferenceSid == null || call.supervisor == null || !workerSid.equals(call.supervisor.workerSid)) {
            return Optional.empty();
        }
        Mode mode = Mode.of(call.supervisor.mode);
        CallRecord.Leg agent = call.agent();
        if (mode == Mode.WHISPER && agent == null) {
            mode = Mode.MONITOR;
        }
        return Optional.of(new SupervisorJoin(mode, mode == Mode.WHISPER ? agent.callSid : null));
    }

    /** A supervisor's leg ended before joining (declined, unanswered, failed): they are no longer on the call. */
    public void onSupervisorLegEnded(String callTaskSid, String workerSid, String callSid, String callStatus) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.supervisor == null || !workerSid.equals(call.supervisor.workerSid) || "joined".equals(call.supervisor.state)) {
            return;
        }
        LOG.info("Supervisor's leg ended {} before joining", callStatus);
        clearSupervisor(call.taskSid, workerSid, callSid);
    }

    // ------------------------------------------------------------------ what Twilio tells us

    /**
     * A conference status callback: applies it to the call record (by {@code SequenceNumber}, so
     * repeats change nothing), then acts on what it means. A transfer target joining takes the
     * customer off hold; an agent leaving wraps their task; the last agent leaving with no
     * transfer pending ends the conference, so the customer is never left alone in it; the
     * conference ending moves the call's remaining tasks on.
     */
    public Optional<CallRecord> onConferenceEvent(ConferenceEvent event) {
        if (event.taskSid() == null) {
            LOG.info("Ignoring {} of a conference not named by a task", event.type());
            return Optional.empty();
        }
        // The leg TaskRouter connected is unlabelled (conference instruction) or labelled with the call's own task (whisper).
        boolean unlabelled = event.isParticipantEvent() && (Role.ofLabel(event.label()) == null
                || Role.ofLabel(event.label()) == Role.AGENT && event.taskSid().equals(Role.sidInLabel(event.label(), "WT")));
        Telephony.TaskContext[] task = new Telephony.TaskContext[1];
        boolean[] looked = new boolean[1];
        Effects[] effects = new Effects[1];
        Optional<CallRecord> updated = records.update(event.taskSid(), () -> new CallRecord(event.taskSid()), record -> {
            effects[0] = new Effects();
            boolean learned = false;
            if (unlabelled && record.customerCallSid == null) {
                // The first unlabelled leg: learn from the task (once, even if a lost race runs this again) who is who.
                if (!looked[0]) {
                    looked[0] = true;
                    task[0] = telephony.task(event.taskSid()).orElse(null);
                }
                if (task[0] != null) {
                    record.customerCallSid = task[0].customerCallSid();
                    record.workerSid = task[0].workerSid();
                    record.queue = task[0].queueName();
                    record.callerAttributes = callerAttributes(task[0].attributes());
                    learned = true;
                }
            }
            boolean changed = record.apply(event);
            if (changed) {
                decide(record, event, effects[0]);
            }
            return changed || learned;
        });
        if (effects[0] != null && updated.isPresent()) {
            effects[0].run(updated.get());
        }
        return updated;
    }

    /**
     * The words the agent hears before being connected to a waiting caller: who is calling, from
     * which queue, how long they waited and why (the task's {@code reason}, when it has one). Empty
     * when the caller is no longer waiting. One request (the task).
     */
    public Optional<String> agentWhisper(String taskSid) {
        Telephony.TaskContext task = telephony.task(taskSid).orElse(null);
        if (task == null || !Set.of("reserved", "assigned").contains(task.assignmentStatus())) {
            return Optional.empty();
        }
        Map<String, Object> attributes = task.attributes();
        StringBuilder text = new StringBuilder();
        Object name = attributes.get("caller_name");
        Object from = attributes.get("from");
        if (name instanceof String caller && !caller.isBlank()) {
            text.append("Call from ").append(caller.trim()).append(". ");
        } else if (from instanceof String number && !number.isBlank()) {
            text.append("Call from ").append(spoken(number.trim())).append(". ");
        } else {
            text.append("Incoming call. ");
        }
        if (task.queueName() != null) {
            text.append("Queue ").append(task.queueName()).append(". ");
        }
        int age = task.ageSeconds();
        text.append("Waited ").append(age < 60 ? age + (age == 1 ? " second" : " seconds")
                : (age / 60) + (age / 60 == 1 ? " minute" : " minutes")).append(". ");
        if (attributes.get("reason") instanceof String reason && !reason.isBlank()) {
            text.append("Reason: ").append(reason.trim()).append(". ");
        }
        return Optional.of(text.toString().trim());
    }

    /** A number read digit by digit, as a person would say it. */
    private static String spoken(String number) {
        StringBuilder out = new StringBuilder();
        for (char c : number.toCharArray()) {
            if (Character.isDigit(c)) {
                out.append(out.isEmpty() ? "" : " ").append(c);
            }
        }
        return out.toString();
    }

    /**
     * A transfer target's leg ended without joining (busy, no answer, failed). A queue's task goes
     * back to routing by itself; a named worker's is canceled and the customer goes back to the
     * queue they came from, with raised priority. The customer stays on hold music throughout.
     */
    public void onTransferLegEnded(String callTaskSid, String transferTaskSid, String legCallSid, String callStatus) {
        if (!UNANSWERED.contains(callStatus) || warm.onTargetUnanswered(callTaskSid, transferTaskSid, legCallSid, callStatus)) {
            return;
        }
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.ended() || !isPendingTransfer(call.transfer, transferTaskSid, legCallSid)) {
            LOG.info("Transfer leg ended {}, but that transfer is no longer pending", callStatus);
            return;
        }
        if ("queue".equals(call.transfer.target)) {
            LOG.info("Transfer leg ended {}; TaskRouter offers the task to the queue's next worker", callStatus);
            return;
        }
        requeue(call, transferTaskSid, legCallSid, true, "transfer target did not answer (" + callStatus + ")");
    }

    /**
     * A transfer task ended without the target joining: canceled by its TTL, by an administrator or
     * by anyone else. The customer, who is on hold waiting for it, goes back to their queue.
     */
    public void onTransferTaskCanceled(String callTaskSid, String transferTaskSid, String reason) {
        if (warm.onTaskCanceled(callTaskSid, transferTaskSid)) {
            return;
        }
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.ended() || !isPendingTransfer(call.transfer, transferTaskSid, null)) {
            return;
        }
        requeue(call, transferTaskSid, null, false, "transfer task canceled (" + reason + ")");
    }

    /**
     * Puts a customer whose transfer failed back in the queue they came from, at raised priority,
     * once (a claim in the record makes a repeated callback do nothing). The customer stays on hold.
     */
    private void requeue(CallRecord call, String transferTaskSid, String legCallSid, boolean cancelOld, String why) {
        boolean[] claimed = new boolean[1];
        CallRecord requeuing = records.update(call.taskSid, () -> call, record -> {
            claimed[0] = isPendingTransfer(record.transfer, transferTaskSid, legCallSid) && "routing".equals(record.transfer.state);
            if (!claimed[0]) {
                return false;
            }
            record.transfer.state = "requeuing";
            return true;
        }).orElse(call);
        if (!claimed[0]) {
            return;
        }
        CallRecord.Transfer requeue = new CallRecord.Transfer();
        requeue.target = "queue";
        requeue.to = requeuing.transfer.fallbackQueue;
        requeue.fallbackQueue = requeuing.transfer.fallbackQueue;
        requeue.fromWorkerSid = requeuing.transfer.fromWorkerSid;
        Map<String, Object> attributes = transferAttributes(requeuing, requeue, requeue.fromWorkerSid);
        var outcome = Concurrently.run(
                () -> transferTaskSid == null || !cancelOld || telephony.updateTask(transferTaskSid, Telephony.TaskStatus.CANCELED, why),
                () -> telephony.createTask(attributes, REQUEUE_PRIORITY));
        if (!outcome.first().ok()) {
            LOG.warn("The failed transfer's task could not be canceled", outcome.first().failure());
        }
        if (!outcome.second().ok()) {
            // Nothing else would route the customer: leave the transfer as it was so the agent UI shows it, and say so loudly.
            LOG.error("The customer could not be put back in a queue after a failed transfer", outcome.second().failure());
            records.update(call.taskSid, () -> call, record -> {
                if (record.transfer != null && "requeuing".equals(record.transfer.state)) {
                    record.transfer.state = "routing";
                    return true;
                }
                return false;
            });
            return;
        }
        String newTask = outcome.second().value();
        records.update(call.taskSid, () -> call, record -> {
            if (record.transfer == null || !"requeuing".equals(record.transfer.state)) {
                return false;
            }
            record.transfer.taskSid = newTask;
            record.transfer.callSid = null;
            record.transfer.state = "routing";
            record.transfer.target = requeue.target;
            record.transfer.to = requeue.to;
            record.transfer.requeues++;
            if (transferTaskSid != null) {
                record.tasks.put(transferTaskSid, CallRecord.TASK_CANCELED);
            }
            record.tasks.put(newTask, CallRecord.TASK_ROUTING);
            return true;
        });
        records.alias(newTask, call.taskSid);
        LOG.info("{}; the customer is back in queue {} with priority {}", why, requeue.to, REQUEUE_PRIORITY);
    }

    /** The pending transfer is the one a leg's callback names: by its task, or for a number by the external leg. */
    private static boolean isPendingTransfer(CallRecord.Transfer transfer, String transferTaskSid, String legCallSid) {
        if (transfer == null) {
            return false;
        }
        if (transferTaskSid != null) {
            return transferTaskSid.equals(transfer.taskSid);
        }
        return "number".equals(transfer.target) && legCallSid != null && legCallSid.equals(transfer.callSid);
    }

    /**
     * Whether a transfer leg that has just answered should join the call: the call is live and
     * that transfer is still the pending one (it is not if the customer hung up meanwhile).
     */
    public boolean transferStillWanted(String callTaskSid, String transferTaskSid) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        return call != null && !call.ended() && call.conferenceSid != null
                && (call.transfer != null && transferTaskSid.equals(call.transfer.taskSid) || warm.wants(call, transferTaskSid));
    }

    // ------------------------------------------------------------------ policies

    /** Twilio requests a conference event calls for, decided while the record is written and run after. */
    final class Effects {
        /** Further requests, run last. */
        final List<Runnable> then = new ArrayList<>();
        boolean unholdCustomer;
        boolean bringCustomer;
        boolean endConference;
        final List<String> wrap = new ArrayList<>();
        final List<String> cancel = new ArrayList<>();

        void run(CallRecord record) {
            if (bringCustomer) {
                quietly("moving the waiting caller into the conference",
                        () -> telephony.moveIntoConference(record.customerCallSid, record.taskSid, Role.CUSTOMER.label(), true));
                LOG.info("Agent joined after the whisper; caller moved into the conference");
            }
            if (unholdCustomer && record.customer() != null) {
                quietly("taking the customer off hold for the transfer target",
                        () -> telephony.hold(record.conferenceSid, record.customerCallSid, false, holdUrl));
                LOG.info("Transfer target joined; customer taken off hold");
            }
            if (endConference) {
                quietly("ending the conference after the last agent left", () -> telephony.endConference(record.conferenceSid));
                LOG.info("Last agent left with no transfer pending; conference ended");
            }
            wrap.forEach(task -> quietly("moving task " + task + " to wrapping", () -> telephony.updateTask(task, Telephony.TaskStatus.WRAPPING, null)));
            cancel.forEach(task -> cancelQuietly(task, "the call ended before the transfer was answered"));
            then.forEach(Runnable::run);
        }
    }

    private void decide(CallRecord record, ConferenceEvent event, Effects effects) {
        if (event.type().equals("conference-end")) {
            warm.decide(record, event, null, effects);
            record.tasks.replaceAll((task, state) -> {
                if (CallRecord.TASK_ROUTING.equals(state)) {
                    effects.cancel.add(task);
                    return CallRecord.TASK_CANCELED;
                }
                if (CallRecord.TASK_ASSIGNED.equals(state)) {
                    // TaskRouter wraps the conference instruction's own task when the conference ends; the others are ours to move.
                    if (!task.equals(record.taskSid) || !record.ownTaskWrappedByTaskRouter) {
                        effects.wrap.add(task);
                    }
                    return CallRecord.TASK_WRAPPING;
                }
                return state;
            });
            record.transfer = null;
            record.supervisor = null;
            return;
        }
        CallRecord.Leg leg = event.callSid() == null ? null : record.legs.get(event.callSid());
        if (warm.decide(record, event, leg, effects)) {
            return;
        }
        if (leg != null && leg.role == Role.SUPERVISOR) {
            CallRecord.Supervision supervision = record.supervisor;
            if (supervision != null && supervision.workerSid.equals(leg.workerSid)) {
                if (event.type().equals("participant-join") && leg.present) {
                    supervision.state = "joined";
                    supervision.callSid = leg.callSid;
                } else if (event.type().equals("participant-leave")) {
                    record.supervisor = null;
                }
            }
            return;
        }
        CallRecord.Transfer transfer = record.transfer;
        if (leg != null && leg.role == Role.TRANSFER && event.type().equals("participant-join") && leg.present
                && transfer != null && "number".equals(transfer.target) && (transfer.callSid == null || transfer.callSid.equals(leg.callSid))) {
            record.transfer = null;
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        if (leg == null || (leg.role != Role.AGENT && leg.role != Role.TRANSFER)) {
            return;
        }
        if (event.type().equals("participant-join") && leg.present && record.taskSid.equals(leg.taskSid) && event.label() != null) {
            // The agent joined after their whisper (call instruction): bring the waiting caller in.
            record.agentCallSid = leg.callSid;
            record.workerSid = leg.workerSid;
            record.ownTaskWrappedByTaskRouter = false;
            record.tasks.putIfAbsent(record.taskSid, CallRecord.TASK_ASSIGNED);
            CallRecord.Leg customer = record.customer();
            effects.bringCustomer = record.customerCallSid != null && (customer == null || !customer.present);
            return;
        }
        if (event.type().equals("participant-join") && leg.present && leg.taskSid != null && !leg.taskSid.equals(record.taskSid)
                && transfer != null && (transfer.taskSid == null || transfer.taskSid.equals(leg.taskSid))) {
            record.transfer = null;
            record.workerSid = leg.workerSid;
            record.agentCallSid = leg.callSid;
            record.tasks.put(leg.taskSid, CallRecord.TASK_ASSIGNED);
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        if (event.type().equals("participant-leave") && !event.leftWithConference() && !record.ended()) {
            CallRecord.Leg customer = record.customer();
            effects.endConference = record.present(Role.AGENT).isEmpty() && record.present(Role.TRANSFER).isEmpty()
                    && !transferPending(record) && customer != null && customer.present;
            if (leg.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(leg.taskSid))) {
                record.tasks.put(leg.taskSid, CallRecord.TASK_WRAPPING);
                // Ending the conference wraps the conference instruction's task by itself; asking as well would be refused.
                if (!(effects.endConference && leg.taskSid.equals(record.taskSid) && record.ownTaskWrappedByTaskRouter)) {
                    effects.wrap.add(leg.taskSid);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The call an agent may act on: it exists, has a conference, has not ended, and the caller is
     * the agent connected to it.
     */
    CallRecord connectedCall(String taskSid, Principal principal, String action) {
        CallRecord call = withConference(taskSid);
        if (!principal.workerSid().equals(call.workerSid)) {
            throw CallControlException.forbidden("only the agent connected to this call may " + action + " it");
        }
        requireNotEnded(call);
        if (call.agent() == null) {
            throw CallControlException.forbidden("you are no longer connected to this call, so you cannot " + action + " it");
        }
        return call;
    }

    /** A call that exists, has a conference and has not ended; for supervisors, who need not be on it. */
    private CallRecord liveCall(String taskSid) {
        CallRecord call = withConference(taskSid);
        requireNotEnded(call);
        return call;
    }

    /** The call's record once it has a conference: 404 for a task TaskRouter does not know, 409 before the conference. */
    private CallRecord withConference(String taskSid) {
        CallRecord call = records.find(taskSid).orElse(null);
        if (call == null || call.conferenceSid == null) {
            telephony.task(taskSid).orElseThrow(() -> CallControlException.notFound("no task " + taskSid));
            throw CallControlException.conflict("no_conference", "the call has no conference yet");
        }
        CallLog.put(CallLog.CONFERENCE_SID, call.conferenceSid);
        return call;
    }

    private static void requireNotEnded(CallRecord call) {
        if (call.ended()) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
    }

    /** Toll-fraud guard: the product dials only numbers under the configured prefixes. */
    private void requireDialable(String number) {
        if (settings.numberPrefixes().stream().noneMatch(number::startsWith)) {
            throw new CallControlException(403, "destination_not_allowed", "the product may not dial that number: it is outside DIAL_PREFIXES");
        }
    }

    private static void requireSupervisor(Principal principal) {
        if (!principal.supervisor()) {
            throw CallControlException.forbidden("only supervisors may monitor, whisper or barge");
        }
    }

    private CallRecord setSupervisorMode(CallRecord call, Mode mode) {
        return records.update(call.taskSid, () -> call, record -> {
            if (record.supervisor == null || mode.label().equals(record.supervisor.mode)) {
                return false;
            }
            record.supervisor.mode = mode.label();
            return true;
        }).orElse(call);
    }

    /** Forgets the supervisor, if it is still the one meant (same worker, and same leg when one is named). */
    private Optional<CallRecord> clearSupervisor(String callTaskSid, String workerSid, String callSid) {
        return records.update(callTaskSid, () -> new CallRecord(callTaskSid), record -> {
            CallRecord.Supervision current = record.supervisor;
            if (current == null || !workerSid.equals(current.workerSid) || (callSid != null && current.callSid != null && !callSid.equals(current.callSid))) {
                return false;
            }
            record.supervisor = null;
            return true;
        });
    }

    static CallRecord.Leg presentCustomer(CallRecord call) {
        CallRecord.Leg customer = call.customer();
        if (customer == null || !customer.present) {
            throw CallControlException.conflict("no_customer", "the customer is not in the conference");
        }
        return customer;
    }

    /**
     * Checks a transfer target (the worker and the queue exist, the number may be dialled) and
     * answers it as a transfer's {@code target} and {@code to}; a 400 or 403 otherwise.
     */
    CallRecord.Transfer resolve(TransferTarget target, Principal principal) {
        CallRecord.Transfer transfer = new CallRecord.Transfer();
        switch (target) {
            case TransferTarget.ToWorker worker -> {
                if (worker.workerSid().equals(principal.workerSid())) {
                    throw HttpError.badRequest("an agent cannot transfer a call to themselves");
                }
                telephony.worker(worker.workerSid()).orElseThrow(() -> HttpError.badRequest("the workspace has no worker " + worker.workerSid()));
                transfer.target = "worker";
                transfer.to = worker.workerSid();
            }
            case TransferTarget.ToQueue queue -> {
                Telephony.Queue found = telephony.queue(queue.queue()).orElseThrow(() -> HttpError.badRequest("the workspace has no queue " + queue.queue()));
                transfer.target = "queue";
                transfer.to = found.name();
            }
            case TransferTarget.ToNumber number -> {
                requireDialable(number.number());
                transfer.target = "number";
                transfer.to = number.number();
            }
        }
        return transfer;
    }

    /** Whether a transfer, cold or warm, is under way (and so the agent leaving must not end the call). */
    static boolean transferPending(CallRecord record) {
        return record.transfer != null || (record.warm != null && record.warm.active());
    }

    /** Marks the transfer as starting, unless another one got there first (409). */
    private void claimTransfer(CallRecord call, CallRecord.Transfer transfer) {
        boolean[] refused = new boolean[1];
        records.update(call.taskSid, () -> call, record -> {
            refused[0] = transferPending(record) || record.ended();
            if (refused[0]) {
                return false;
            }
            record.transfer = transfer;
            return true;
        });
        if (refused[0]) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way, or the call ended");
        }
    }

    /**
     * The attributes of a transfer task: what the original task said about the caller, where the
     * call is (conference and original task), and the routing the workflow acts on.
     */
    static Map<String, Object> transferAttributes(CallRecord call, CallRecord.Transfer transfer, String fromWorkerSid) {
        return transferAttributes(call, transfer.target, transfer.to, fromWorkerSid, "cold", null);
    }

    static Map<String, Object> transferAttributes(CallRecord call, String target, String to, String fromWorkerSid, String mode, String transferId) {
        Map<String, Object> attributes = new LinkedHashMap<>(call.callerAttributes == null ? Map.of() : call.callerAttributes);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("mode", mode);
        if (transferId != null) {
            about.put("transfer_id", transferId);
        }
        about.put("call_task_sid", call.taskSid);
        about.put("conference_sid", call.conferenceSid);
        about.put("customer_call_sid", call.customerCallSid);
        about.put("from_worker_sid", fromWorkerSid);
        about.put("target", target);
        attributes.put("transfer", about);
        if ("worker".equals(target)) {
            attributes.put("requested_agent", to);
        } else if (to != null) {
            attributes.put("desired_queue", to);
        }
        return attributes;
    }

    private static Map<String, Object> callerAttributes(Map<String, Object> attributes) {
        Map<String, Object> out = new LinkedHashMap<>(attributes);
        ROUTING_ATTRIBUTES.forEach(out::remove);
        return out;
    }

    void cancelQuietly(String taskSid, String reason) {
        quietly("canceling task " + taskSid, () -> telephony.updateTask(taskSid, Telephony.TaskStatus.CANCELED, reason));
    }

    /** Runs a follow-up request whose failure must not undo what already happened: it is logged, not thrown. */
    static void quietly(String what, Runnable request) {
        try {
            request.run();
        } catch (RuntimeException e) {
            LOG.error("Failed {}: {}", what, e.getMessage());
        }
    }
}
