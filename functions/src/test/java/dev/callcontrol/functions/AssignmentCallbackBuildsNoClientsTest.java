package dev.callcontrol.functions;

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

/**
 * The assignment callback has TaskRouter's five seconds, cold start included, so its path builds
 * neither the DynamoDB client nor the Twilio REST client. Proven in a class loader of its own
 * (the rest of this test JVM has loaded both): the function is built and answers a voice task,
 * and neither client class was ever loaded.
 */
class AssignmentCallbackBuildsNoClientsTest {
    /** A class loader that loads the application's classes itself and says which it has loaded. */
    private static final class Isolated extends URLClassLoader {
        Isolated(URL[] urls) {
            super("isolated", urls, ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }
    }

    @Test
    void theAssignmentCallbackLoadsNoDynamoDbOrTwilioRestClient() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader outer = Thread.currentThread().getContextClassLoader();
        try (Isolated loader = new Isolated(urls.toArray(URL[]::new))) {
            // Service loaders (Powertools, log4j) look through the context class loader.
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> config = loader.loadClass("dev.callcontrol.config.Config");
            Class<?> webhooks = loader.loadClass("dev.callcontrol.testing.Webhooks");
            Object settings = config.getMethod("of", Map.class).invoke(null, webhooks.getMethod("localEnvironment").invoke(null));
            Class<?> function = loader.loadClass(AssignmentCallbackFunction.class.getName());
            Object handler = function.getConstructor(config).newInstance(settings);
            Object event = webhooks.getMethod("sample", String.class).invoke(null, "assignment-voice-task.json");
            Class<?> eventType = loader.loadClass("com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent");
            Class<?> context = loader.loadClass("com.amazonaws.services.lambda.runtime.Context");
            Object response = function.getMethod("handleRequest", eventType, context).invoke(handler, event, null);
            assertEquals(200, response.getClass().getMethod("getStatusCode").invoke(response));

            assertFalse(loader.loaded("software.amazon.awssdk.services.dynamodb.DynamoDbClient"), "the DynamoDB client was loaded");
            assertFalse(loader.loaded("dev.callcontrol.store.CallStore"), "the call store was loaded");
            assertFalse(loader.loaded("com.twilio.http.TwilioRestClient"), "the Twilio REST client was loaded");
            assertFalse(loader.loaded("dev.callcontrol.twilio.TwilioTelephony"), "the Twilio adapter was loaded");
        } finally {
            Thread.currentThread().setContextClassLoader(outer);
        }
    }
}
