package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an API Gateway HTTP API (payload 2.0) event from the bytes Lambda hands a stream handler,
 * and writes the response back, with the product's own Jackson mapper and field by field.
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
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(input);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the event is not valid JSON");
        } catch (IOException e) {
            throw HttpError.badRequest("the event could not be read");
        }
        if (root == null || !root.isObject()) {
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
        JsonNode context = object(root, "requestContext");
        if (context != null) {
            event.setRequestContext(requestContext(context));
        }
        return event;
    }

    private static APIGatewayV2HTTPEvent.RequestContext requestContext(JsonNode node) {
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
        JsonNode http = object(node, "http");
        if (http != null) {
            var request = new APIGatewayV2HTTPEvent.RequestContext.Http();
            request.setMethod(text(http, "method"));
            request.setPath(text(http, "path"));
            request.setProtocol(text(http, "protocol"));
            request.setSourceIp(text(http, "sourceIp"));
            request.setUserAgent(text(http, "userAgent"));
            context.setHttp(request);
        }
        JsonNode authorizer = object(node, "authorizer");
        if (authorizer != null) {
            var verified = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            JsonNode jwt = object(authorizer, "jwt");
            if (jwt != null) {
                var token = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
                token.setClaims(stringMap(jwt, "claims"));
                token.setScopes(strings(jwt, "scopes"));
                verified.setJwt(token);
            }
            JsonNode lambda = object(authorizer, "lambda");
            if (lambda != null) {
                verified.setLambda(Json.toMap(lambda));
            }
            context.setAuthorizer(verified);
        }
        return context;
    }

    /** Writes the response as the Lambda runtime would serialise it for API Gateway. */
    public static void write(APIGatewayV2HTTPResponse response, OutputStream output) throws IOException {
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(output, JsonEncoding.UTF8)) {
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

    private static JsonNode field(JsonNode parent, String name) {
        JsonNode value = parent.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static JsonNode object(JsonNode parent, String name) {
        JsonNode value = field(parent, name);
        if (value != null && !value.isObject()) {
            throw malformed(name);
        }
        return value;
    }

    private static String text(JsonNode parent, String name) {
        JsonNode value = field(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isValueNode()) {
            throw malformed(name);
        }
        return value.asText();
    }

    private static boolean bool(JsonNode parent, String name) {
        JsonNode value = field(parent, name);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw malformed(name);
        }
        return value.booleanValue();
    }

    private static long number(JsonNode parent, String name) {
        JsonNode value = field(parent, name);
        if (value == null) {
            return 0;
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.textValue().trim());
            } catch (NumberFormatException e) {
                throw malformed(name);
            }
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw malformed(name);
        }
        return value.longValue();
    }

    private static List<String> strings(JsonNode parent, String name) {
        JsonNode value = field(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            throw malformed(name);
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isValueNode()) {
                throw malformed(name);
            }
            items.add(item.isNull() ? null : item.asText());
        }
        return items;
    }

    /** A map of strings; API Gateway passes every header, parameter and claim value as a string. */
    private static Map<String, String> stringMap(JsonNode parent, String name) {
        JsonNode value = object(parent, name);
        if (value == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            JsonNode item = entry.getValue();
            map.put(entry.getKey(), item.isNull() ? null : item.isValueNode() ? item.asText() : item.toString());
        }
        return map;
    }

    private static HttpError malformed(String name) {
        return HttpError.badRequest("the event's " + name + " is malformed");
    }
}
