package dev.callcontrol.local.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconciler benchmark ({@code local/reconcile-scale}) still runs end to end at a tiny size and
 * prints its figures. It asserts what the run did (every call visited in one run, two Twilio
 * requests a visit, the reads), never how long it took.
 */
class ReconcileScaleTest {
    @Test
    void twentyLiveCallsAreReconciledAndTheFiguresPrinted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReconcileScale.run(new String[] {"--warmups", "0", "20"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(out.contains("## 20 live calls"), out);
        assertTrue(out.contains("Seeded to 20 live calls") && out.contains("the live index lists 20."), out);
        assertTrue(out.contains("Every call was visited after 1 run(s)"), out);
        // Run 1: 20 live, 20 visited, all new, none left; 8 index pages (one a shard), 20 index items, 20 GetItems;
        // 40 Twilio requests, 2 a visit, none refused.
        assertTrue(out.lines().anyMatch(line -> line.matches("\\| 1 \\| 20 \\| 20 \\| 20 \\| 0 \\| \\d+ \\| 8, 20, \\d+ \\| 20, \\d+ \\| .* \\| 40 \\| 2\\.00 \\| .* \\| no \\|")),
                out);
        assertTrue(out.contains("## Summary"), out);
        assertTrue(out.lines().anyMatch(line -> line.startsWith("| 20 | 1 (") && line.contains("| 40 (2.00) |")), out);
    }
}
