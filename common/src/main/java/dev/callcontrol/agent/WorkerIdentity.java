package dev.callcontrol.agent;

import dev.callcontrol.calls.Telephony;
import dev.callcontrol.http.HttpError;

import java.util.Optional;
import java.util.function.Function;

/**
 * Whether the worker a token names belongs to the user it authenticates ({@code AUTH_WORKER_BINDING}).
 * A worker claim is only as good as the identity provider's rule on who may write it: with the
 * template's user pool, users cannot (its app client does not list the attribute as writable), and
 * the claim is trusted. With another provider, or as a second lock, the binding can live where
 * agents cannot reach it: the worker's TaskRouter attributes, which only workspace administrators
 * edit, carry the user's {@code sub} as {@code auth_sub}, and a token whose worker claim names a
 * worker bound to someone else is refused (403 {@code worker_not_bound}).
 */
@FunctionalInterface
public interface WorkerIdentity {
    /** Refuses (403) a principal whose worker is not the authenticated user's; {@code subject} is the token's {@code sub}. */
    void check(Principal principal, String subject);

    /** The worker claim, trusted as issued. */
    WorkerIdentity TRUST_CLAIM = (principal, subject) -> {
    };

    /** The worker's {@code auth_sub} attribute must equal the token's subject; {@code workers} finds a worker by SID. */
    static WorkerIdentity boundByWorkerAttribute(Function<String, Optional<Telephony.Worker>> workers) {
        return (principal, subject) -> {
            if (subject == null || subject.isBlank()) {
                throw new HttpError(403, "worker_not_bound", "the token carries no subject (sub) to bind its worker to");
            }
            Optional<Telephony.Worker> worker = workers.apply(principal.workerSid());
            if (worker.isEmpty() || worker.get().authSubject() == null || !worker.get().authSubject().equals(subject)) {
                throw new HttpError(403, "worker_not_bound", "the token's worker is not bound to the user it authenticates");
            }
        };
    }
}
