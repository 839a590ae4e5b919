package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an API Gateway HTTP API (payload 2.0) event from the bytes Lambda hands a stream handler,
 * and writes the response back, field by field, with Jackson's streaming parser and generator
 * ({@link JsonValues}): not even the product's object mapper is built on this path.
 *
 * <p>The Lambda runtime would otherwise build the event with its own copy of Jackson by reflecting
 * over the event classes: about 700 more classes loaded and some 200 ms of every cold start
 * ({@code docs/performance.md}). Reading the tree explicitly costs neither, and keeps the field
 * names of the wire format in one place. A document that is not such an event is a 400.
 */
public final class ApiGatewayJson {

    private ApiGatewayJson() {
    }

    /** The event in {@code input}; a 400 {@link HttpError} when it is not JSON or not shaped as one. */
    public static APIGatewayV2HTTPEvent read(InputStream input) {
        Object document;
        try {
            document = JsonValues.parse(input);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the event is not valid JSON");
        } catch (IOException e) {
            throw HttpError.badRequest("the event could not be read");
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw HttpError.badRequest("the event is not a JSON object");
        }
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion(text(root, "version"));
        event.setRouteKey(text(root, "routeKey"));
        event.setRawPath(text(root, "rawPath"));
        event.setRawQueryString(text(root, "rawQueryString"));
        event.setCookies(strings(root, "cookies"));
        event.setHeaders(stringMap(root, "headers"));
        event.setQueryStringParameters(stringMap(root, "queryStringParameters"));
        event.setPathParameters(stringMap(root, "pathParameters"));
        event.setStageVariables(stringMap(root, "stageVariables"));
        event.setBody(text(root, "body"));
        event.setIsBase64Encoded(bool(root, "isBase64Encoded"));
        Map<?, ?> context = object(root, "requestContext");
        if (context != null) {
            event.setRequestContext(requestContext(context));
        }
        return event;
    }

    private static APIGatewayV2HTTPEvent.RequestContext requestContext(Map<?, ?> node) {
        var context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setRouteKey(text(node, "routeKey"));
        context.setAccountId(text(node, "accountId"));
        context.setStage(text(node, "stage"));
        context.setApiId(text(node, "apiId"));
        context.setDomainName(text(node, "domainName"));
        context.setDomainPrefix(text(node, "domainPrefix"));
        context.setTime(text(node, "time"));
        context.setTimeEpoch(number(node, "timeEpoch"));
        context.setRequestId(text(node, "requestId"));
        Map<?, ?> http = object(node, "http");
        if (http != null) {
            var request = new APIGatewayV2HTTPEvent.RequestContext.Http();
            request.setMethod(text(http, "method"));
            request.setPath(text(http, "path"));
            request.setProtocol(text(http, "protocol"));
            request.setSourceIp(text(http, "sourceIp"));
            request.setUserAgent(text(http, "userAgent"));
            context.setHttp(request);
        }
        Map<?, ?> authorizer = object(node, "authorizer");
        if (authorizer != null) {
            var verified = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            Map<?, ?> jwt = object(authorizer, "jwt");
            if (jwt != null) {
                var token = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
                token.setClaims(stringMap(jwt, "claims"));
                token.setScopes(strings(jwt, "scopes"));
                verified.setJwt(token);
            }
            Map<?, ?> lambda = object(authorizer, "lambda");
            if (lambda != null) {
                Map<String, Object> values = new LinkedHashMap<>();
                lambda.forEach((key, value) -> values.put((String) key, value));
                verified.setLambda(values);
            }
            context.setAuthorizer(verified);
        }
        return context;
    }

    /** Writes the response as the Lambda runtime would serialise it for API Gateway. */
    public static void write(APIGatewayV2HTTPResponse response, OutputStream output) throws IOException {
        try (JsonGenerator json = JsonValues.generator(output)) {
            json.writeStartObject();
            json.writeNumberField("statusCode", response.getStatusCode());
            if (response.getHeaders() != null) {
                json.writeObjectFieldStart("headers");
                for (Map.Entry<String, String> header : response.getHeaders().entrySet()) {
                    json.writeStringField(header.getKey(), header.getValue());
                }
                json.writeEndObject();
            }
            if (response.getMultiValueHeaders() != null) {
                json.writeObjectFieldStart("multiValueHeaders");
                for (Map.Entry<String, List<String>> header : response.getMultiValueHeaders().entrySet()) {
                    json.writeArrayFieldStart(header.getKey());
                    for (String value : header.getValue()) {
                        json.writeString(value);
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            }
            if (response.getCookies() != null) {
                json.writeArrayFieldStart("cookies");
                for (String cookie : response.getCookies()) {
                    json.writeString(cookie);
                }
                json.writeEndArray();
            }
            if (response.getBody() != null) {
                json.writeStringField("body", response.getBody());
            }
            json.writeBooleanField("isBase64Encoded", response.getIsBase64Encoded());
            json.writeEndObject();
        }
    }

    private static Object field(Map<?, ?> parent, String name) {
        return parent.get(name);
    }

    private static boolean scalar(Object value) {
        return !(value instanceof Map<?, ?>) && !(value instanceof List<?>);
    }

    private static Map<?, ?> object(Map<?, ?> parent, String name) {
        Object value = field(parent, name);
        if (value != null && !(value instanceof Map<?, ?>)) {
            throw malformed(name);
        }
        return (Map<?, ?>) value;
    }

    private static String text(Map<?, ?> parent, String name) {
        Object value = field(parent, name);
        if (value == null) {
            return null;
        }
        if (!scalar(value)) {
            throw malformed(name);
        }
        return JsonValues.asText(value);
    }

    private static boolean bool(Map<?, ?> parent, String name) {
        Object value = field(parent, name);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean bool)) {
            throw malformed(name);
        }
        return bool;
    }

    private static long number(Map<?, ?> parent, String name) {
        Object value = field(parent, name);
        if (value == null) {
            return 0;
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw malformed(name);
            }
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw malformed(name);
    }

    private static List<String> strings(Map<?, ?> parent, String name) {
        Object value = field(parent, name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> array)) {
            throw malformed(name);
        }
        List<String> items = new ArrayList<>(array.size());
        for (Object item : array) {
            if (!scalar(item)) {
                throw malformed(name);
            }
            items.add(item == null ? null : JsonValues.asText(item));
        }
        return items;
    }

    /** A map of strings; API Gateway passes every header, parameter and claim value as a string. */
    private static Map<String, String> stringMap(Map<?, ?> parent, String name) {
        Map<?, ?> value = object(parent, name);
        if (value == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : value.entrySet()) {
            Object item = entry.getValue();
            map.put((String) entry.getKey(), item == null ? null : scalar(item) ? JsonValues.asText(item) : JsonValues.write(item));
        }
        return map;
    }

    private static HttpError malformed(String name) {
        return HttpError.badRequest("the event's " + name + " is malformed");
    }
}
