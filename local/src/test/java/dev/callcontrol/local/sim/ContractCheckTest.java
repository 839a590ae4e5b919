package dev.callcontrol.local.sim;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContractCheckTest {
    @Test
    void isOffWhereTheSpecsAreAbsent() {
        assertTrue(ContractCheck.load(Path.of("/nonexistent/twilio-oai")).isEmpty());
        assertTrue(ContractCheck.load(null).isEmpty());
    }

    @Test
    void specsAreFoundBesideTheRepositoryUnlessConfigured() {
        assertEquals(Path.of("/work/shared/twilio-oai"), ContractCheck.defaultDirectory(Map.of(), Path.of("/work/main")));
        assertEquals(Path.of("/specs"), ContractCheck.defaultDirectory(Map.of("TWILIO_OAI_DIR", "/specs"), Path.of("/work/main")));
    }
}
