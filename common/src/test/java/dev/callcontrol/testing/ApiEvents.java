package dev.callcontrol.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.util.Map;

/** API Gateway HTTP API (payload 2.0) events as the tests need them, built rather than read from events/. */
public final class ApiEvents {
    private ApiEvents() {
    }

    public static APIGatewayV2HTTPEvent event(String method, String rawPath, String stage, String rawQuery, Map<String, String> headers,
                                              String body, boolean base64) {
        return APIGatewayV2HTTPEvent.builder()
                .withRawPath(rawPath)
                .withRawQueryString(rawQuery)
                .withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withStage(stage)
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).build())
                        .build())
                .withBody(body)
                .withIsBase64Encoded(base64)
                .build();
    }
}
