package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.Setting;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Lambda would give each function of the template locally: the template's references resolved
 * the local way (parameters with local defaults, table names), the function's environment (the
 * template's variables, the local secrets, the caller's overrides), and its handler instance.
 */
final class FunctionContainers {
    private FunctionContainers() {
    }

    static java.util.function.Function<String, String> references(SamTemplate template, String publicBaseUrl,
                                                                         Map<String, String> tableNames, Map<String, String> env, boolean simulated) {
        Map<String, String> localParameters = LocalDefaults.parameters(publicBaseUrl, simulated);
        String region = env.getOrDefault("AWS_REGION", "us-east-1");
        return name -> switch (name) {
            case "AWS::Region" -> region;
            case "AWS::AccountId" -> "123456789012";
            case "AWS::Partition" -> "aws";
            case "AWS::URLSuffix" -> "amazonaws.com";
            case "AWS::StackName" -> "call-control-local";
            default -> {
                if (tableNames.containsKey(name)) {
                    yield tableNames.get(name);
                }
                if (template.resources().containsKey(name)) {
                    yield name;
                }
                Object parameter = template.parameters().get(name);
                if (parameter instanceof Map<?, ?> definition) {
                    if (localParameters.containsKey(name)) {
                        yield localParameters.get(name);
                    }
                    Object defaultValue = definition.get("Default");
                    yield defaultValue == null ? null : String.valueOf(defaultValue);
                }
                yield null;
            }
        };
    }

    /** The template's environment for a function, made local: secrets, DynamoDB endpoint, then the caller's own overrides. */
    static Map<String, String> environment(SamTemplate.Function function, Intrinsics intrinsics, URI dynamoEndpoint,
                                           Map<String, String> processEnvironment, LocalSecrets secrets) {
        Map<String, String> environment = new LinkedHashMap<>();
        function.environment().forEach((name, value) -> {
            String resolved = intrinsics.resolve(value);
            if (resolved.contains("{{resolve:")) {
                resolved = LocalDefaults.secrets().get(name);
                if (resolved == null) {
                    throw new IllegalStateException(name + " is resolved from a secret store in template.yaml and has no local default");
                }
            }
            environment.put(name, resolved);
        });
        // The deployment's functions read their Twilio secrets from Secrets Manager; these get them directly,
        // unless LOCAL_SECRETS=secrets-manager (placed below, once the caller's overrides are in).
        String templateSecretId = environment.get(Setting.TWILIO_SECRET_ID.name());
        environment.putAll(LocalDefaults.secrets());
        environment.put(Setting.DYNAMODB_ENDPOINT.name(), dynamoEndpoint.toString());
        environment.put("AWS_REGION", processEnvironment.getOrDefault("AWS_REGION", "us-east-1"));
        environment.put("AWS_LAMBDA_FUNCTION_NAME", function.logicalId());
        for (Setting setting : Setting.values()) {
            String override = processEnvironment.get(setting.name());
            if (override != null && !override.isBlank()) {
                environment.put(setting.name(), override);
            }
        }
        secrets.place(environment, templateSecretId);
        return environment;
    }

    @SuppressWarnings("unchecked")
    static RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> instantiate(SamTemplate.Function function, Map<String, String> environment,
                                                                                       java.time.Clock clock) {
        try {
            Class<?> type = Class.forName(function.handlerClass());
            if (!RequestHandler.class.isAssignableFrom(type) || !"handleRequest".equals(function.handlerMethod())) {
                throw new IllegalStateException(function.logicalId() + ": handler " + function.handler() + " is not a RequestHandler::handleRequest");
            }
            try {
                return (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) type.getConstructor(Config.class).newInstance(Config.of(environment).withClock(clock));
            } catch (NoSuchMethodException noConfigConstructor) {
                return (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) type.getConstructor().newInstance();
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(function.logicalId() + " did not start: " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(function.logicalId() + ": cannot load handler " + function.handler() + ": " + e, e);
        }
    }

    /** A scheduled function's handler: a {@code RequestHandler} of EventBridge's scheduled event. */
    @SuppressWarnings("unchecked")
    static RequestHandler<com.amazonaws.services.lambda.runtime.events.ScheduledEvent, ?> scheduledHandler(RequestHandler<?, ?> handler) {
        return (RequestHandler<com.amazonaws.services.lambda.runtime.events.ScheduledEvent, ?>) handler;
    }
}
