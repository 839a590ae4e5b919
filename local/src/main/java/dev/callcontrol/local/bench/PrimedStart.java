package dev.callcontrol.local.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The child process of {@code local/coldstart --snapstart}: what a SnapStart function does, on a
 * JVM without CRaC. It builds the handler from {@code lib/} of the working directory (as Lambda's
 * customer class loader would), optionally runs every priming step as the checkpoint would, then
 * times the first invocation, the part of a restored function's cold start that the snapshot does
 * not hold. Prints one line: {@code initMs primeMs firstInvocationMs response}.
 *
 * <p>Usage: {@code PrimedStart <handler class> <event file> <prime: true|false>}; the function's
 * environment comes from the process's.
 */
public final class PrimedStart {
    private PrimedStart() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> lib = Files.list(Path.of("lib"))) {
            for (Path jar : lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                jars.add(jar.toUri().toURL());
            }
        }
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        try (URLClassLoader customer = new URLClassLoader(jars.toArray(URL[]::new), PrimedStart.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(customer);
            Class<?> type = customer.loadClass(args[0]);
            Object handler = type.getConstructor().newInstance();
            long initialised = System.nanoTime();
            if (Boolean.parseBoolean(args[2])) {
                Object failed = customer.loadClass("dev.callcontrol.snapstart.Priming").getMethod("primeAll").invoke(null);
                if (!((List<?>) failed).isEmpty()) {
                    throw new IllegalStateException("priming steps failed: " + failed);
                }
            }
            long primed = System.nanoTime();
            FirstInvocation.begins();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            Class<?> context = customer.loadClass("com.amazonaws.services.lambda.runtime.Context");
            type.getMethod("handleRequest", InputStream.class, OutputStream.class, context)
                    .invoke(handler, new ByteArrayInputStream(event), response, null);
            long answered = System.nanoTime();
            System.out.printf("%.1f %.1f %.1f %s%n", (initialised - start) / 1e6, (primed - initialised) / 1e6, (answered - primed) / 1e6,
                    response.toString(java.nio.charset.StandardCharsets.UTF_8).replace('\n', ' '));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /**
     * Loaded just before the first invocation, so that {@code -Xlog:class+load} shows where it
     * begins: every class after this one is a class the snapshot would not have held.
     */
    private static final class FirstInvocation {
        static void begins() {
        }
    }
}
