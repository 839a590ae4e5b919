package dev.callcontrol.functions;

import dev.callcontrol.testing.QuietLogs;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cold start builds only the clients its path uses. Proven in a class loader of its own for each
 * case (the rest of this test JVM has loaded every client): which client classes a function loaded.
 * The assignment callback has TaskRouter's five seconds, cold start included, so its path builds
 * neither the DynamoDB client nor the Twilio REST client, nor even Jackson's object mapper. Every other function builds the Twilio
 * client on the first request that talks to Twilio, or at SnapStart's priming (that the priming
 * builds the real client, not only its canned twin, is {@code TwilioTelephonyLazyTest}'s).
 */
class ClientsOnFirstUseTest {
    /** A class loader that loads the application's classes itself and says which it has loaded. */
    private static final class Isolated extends URLClassLoader {
        Isolated() throws Exception {
            super("isolated", classPath(), ClassLoader.getPlatformClassLoader());
        }

        private static URL[] classPath() throws Exception {
            List<URL> urls = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
            return urls.toArray(URL[]::new);
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }

        /** The status code of {@code handler}'s answer to a sample event from {@code events/}. */
        Object answer(Object handler, String sample) throws Exception {
            Object event = loadClass("dev.callcontrol.testing.Webhooks").getMethod("sample", String.class).invoke(null, sample);
            Class<?> eventType = loadClass("com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent");
            Class<?> context = loadClass("com.amazonaws.services.lambda.runtime.Context");
            Object response = handler.getClass().getMethod("handleRequest", eventType, context).invoke(handler, event, null);
            return response.getClass().getMethod("getStatusCode").invoke(response);
        }

        /** The function built as Lambda builds it, from the local environment. */
        Object function(String className) throws Exception {
            Class<?> config = loadClass("dev.callcontrol.config.Config");
            Class<?> webhooks = loadClass("dev.callcontrol.testing.Webhooks");
            Object settings = config.getMethod("of", Map.class).invoke(null, webhooks.getMethod("localEnvironment").invoke(null));
            return loadClass(className).getConstructor(config).newInstance(settings);
        }
    }

    /** Runs {@code test} with the isolated loader as the context class loader, which service loaders (Powertools, logback) search. */
    private static void isolated(IsolatedTest test) throws Exception {
        ClassLoader outer = Thread.currentThread().getContextClassLoader();
        try (Isolated loader = new Isolated()) {
            Thread.currentThread().setContextClassLoader(loader);
            QuietLogs.holdLinesOf(loader);
            test.run(loader);
        } finally {
            Thread.currentThread().setContextClassLoader(outer);
        }
    }

    private interface IsolatedTest {
        void run(Isolated loader) throws Exception;
    }

    @Test
    void theAssignmentCallbackLoadsNoDynamoDbOrTwilioRestClient() throws Exception {
        isolated(loader -> {
            Object handler = loader.function(AssignmentCallbackFunction.class.getName());
            assertEquals(200, loader.answer(handler, "assignment-voice-task.json"));

            assertFalse(loader.loaded("software.amazon.awssdk.services.dynamodb.DynamoDbClient"), "the DynamoDB client was loaded");
            assertFalse(loader.loaded("dev.callcontrol.store.CallStore"), "the call store was loaded");
            assertFalse(loader.loaded("com.twilio.http.TwilioRestClient"), "the Twilio REST client was loaded");
            assertFalse(loader.loaded("dev.callcontrol.twilio.TwilioTelephony"), "the Twilio adapter was loaded");
            // Jackson's streaming parser and generator only: building an object mapper is some 500 classes.
            assertFalse(loader.loaded("com.fasterxml.jackson.databind.ObjectMapper"), "Jackson's object mapper was loaded");
        });
    }

    @Test
    void aRefusedAgentRequestBuildsNoTwilioClientAndNoObjectMapper() throws Exception {
        isolated(loader -> {
            Object handler = loader.function(HoldFunction.class.getName());
            assertEquals(401, loader.answer(handler, "hold-no-token.json"));

            assertFalse(loader.loaded("com.twilio.http.TwilioRestClient$Builder"), "a refused request built a Twilio client");
            // The error body is written without it (only twilio-java, reading Twilio's answers, needs one).
            assertFalse(loader.loaded("com.fasterxml.jackson.databind.ObjectMapper"), "Jackson's object mapper was loaded");
        });
    }

    @Test
    void theTwilioClientIsBuiltByItsFirstUseOrByPrimingNotByTheFunction() throws Exception {
        for (Class<?> function : List.of(GetCallFunction.class, HoldFunction.class, CallEventsFunction.class, TaskRouterEventsFunction.class)) {
            isolated(loader -> {
                loader.function(function.getName());
                // Linking the adapter loads the client's classes; only building one loads its builder.
                assertFalse(loader.loaded("com.twilio.http.TwilioRestClient$Builder"), function.getSimpleName() + " built a Twilio client");

                Object failed = loader.loadClass("dev.callcontrol.snapstart.Priming").getMethod("primeAll").invoke(null);
                assertEquals(List.of(), failed);
                assertTrue(loader.loaded("com.twilio.http.TwilioRestClient$Builder"), function.getSimpleName() + ": priming built no Twilio client");
            });
        }
    }
}
