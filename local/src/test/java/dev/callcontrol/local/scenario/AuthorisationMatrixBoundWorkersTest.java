package dev.callcontrol.local.scenario;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole authorisation matrix again with {@code AUTH_WORKER_BINDING=worker-attribute}: each
 * worker bound to its user through the TaskRouter attribute {@code auth_sub} (issue 19, finding 1).
 * Every route refuses a token whose worker claim its user changed (403 {@code worker_not_bound}),
 * and the bound agents, supervisors and keys get exactly what they get under {@code claim}.
 */
@CallCentreScenario.WithSettings({"AUTH_WORKER_BINDING=worker-attribute", AuthorisationMatrixTest.DIALS_PER_MINUTE, AuthorisationMatrixTest.THROTTLED})
class AuthorisationMatrixBoundWorkersTest extends AuthorisationMatrixTest {

    @Test
    void everyFunctionRunsWithWorkersBoundToTheirUsers() {
        for (String function : java.util.List.of("GetCallFunction", "HoldFunction", "OutboundCallFunction", "StopSupervisingFunction")) {
            assertEquals("worker-attribute", runtime.environment(function).get("AUTH_WORKER_BINDING"), function);
        }
    }
}
