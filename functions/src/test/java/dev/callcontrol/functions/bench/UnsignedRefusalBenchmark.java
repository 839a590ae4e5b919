package dev.callcontrol.functions.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.functions.AssignmentCallbackFunction;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * What an unsigned POST to {@code /twilio/assignment} costs the assignment callback (a benchmark,
 * not a test): the event as Lambda hands it over (the sample event without its
 * {@code X-Twilio-Signature}), through the stream handler Lambda calls. Prints, to stderr, the
 * first refusal in this JVM (after the function is built, as on a cold start) and then, warm, the
 * median and p99 time and the bytes allocated per refusal, and whether the answer was the 403.
 * The product's log lines go to stdout, as in Lambda, where each is a CloudWatch ingestion.
 *
 * <pre>local/unsigned-bench [warm requests]</pre>
 */
public final class UnsignedRefusalBenchmark {
    private UnsignedRefusalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        PrintStream figures = System.err;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode event = (ObjectNode) mapper.readTree(Files.readString(Project.event("assignment-voice-task.json")));
        ((ObjectNode) event.get("headers")).remove("x-twilio-signature");
        byte[] unsigned = mapper.writeValueAsBytes(event);

        long built = System.nanoTime();
        AssignmentCallbackFunction function = new AssignmentCallbackFunction(Config.of(Webhooks.localEnvironment()));
        long first = System.nanoTime();
        String answer = refuse(function, unsigned);
        long done = System.nanoTime();
        figures.printf("unsigned refusal, first in this JVM: %.2f ms (function built in %.2f ms); answer %s%n",
                (done - first) / 1e6, (first - built) / 1e6, answer.contains("invalid_signature") ? "403 invalid_signature" : answer);

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < requests / 4; i++) {
            refuse(function, unsigned);
        }
        long[] nanos = new long[requests];
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long wall = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            refuse(function, unsigned);
            nanos[i] = System.nanoTime() - start;
        }
        wall = System.nanoTime() - wall;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        Arrays.sort(nanos);
        figures.printf("unsigned refusal, warm (%,d requests): p50 %.1f µs, p99 %.1f µs, mean %.1f µs, %,d bytes allocated per request%n",
                requests, nanos[requests / 2] / 1e3, nanos[(int) (requests * 0.99)] / 1e3, wall / 1e3 / requests, allocated / requests);
    }

    private static String refuse(AssignmentCallbackFunction function, byte[] event) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        function.handleRequest(new ByteArrayInputStream(event), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }
}
