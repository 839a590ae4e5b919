package dev.callcontrol.local;

import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts the local runtime as {@code local/run} does, in its own JVM on the runtime class path
 * (not the test class path), waits for it to serve, then stops it with SIGTERM as Ctrl-C would.
 */
class LocalRunSmokeTest {
    @Test
    void startsFromTheRuntimeClassPathAndStopsCleanly() throws Exception {
        Path module = Project.root().resolve("local");
        String classPath = module.resolve("target/classes") + java.io.File.pathSeparator
                + Files.readString(module.resolve("target/classpath.txt")).trim();
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("local-run", ".log");
        ProcessBuilder builder = new ProcessBuilder(javaBinary, "-cp", classPath, "dev.callcontrol.local.LocalRuntime")
                .directory(Project.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("LOCAL_PORT", "0");
        builder.environment().put("LOCAL_SIMULATOR_PORT", "0");
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && process.isAlive() && !Files.readString(log).contains("Press Ctrl-C to stop.")) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(log).contains("Press Ctrl-C to stop."), "the runtime did not start:\n" + Files.readString(log));
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the runtime did not stop on SIGTERM");
        } finally {
            process.destroyForcibly();
        }
        String all = Files.readString(log);
        Files.deleteIfExists(log);
        assertTrue(all.contains("POST   http://127.0.0.1:"), all);
        assertTrue(all.contains("Twilio          simulator at http://127.0.0.1:"), all);
        assertTrue(all.contains("Stopping the local runtime."), all);
    }
}
