package dev.callcontrol.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IntrinsicsTest {
    private final Intrinsics intrinsics = new Intrinsics(name -> Map.of("Api", "abc123", "AWS::Region", "eu-west-1", "Table", "calls").get(name));

    @Test
    void evaluatesRefSubGetAttAndJoin() {
        assertEquals("calls", intrinsics.resolve(Map.of("Ref", "Table")));
        assertEquals("https://abc123.execute-api.eu-west-1.amazonaws.com", intrinsics.resolve(Map.of("Fn::Sub", "https://${Api}.execute-api.${AWS::Region}.amazonaws.com")));
        assertEquals("x-y", intrinsics.resolve(Map.of("Fn::Sub", List.of("${A}-${B}", Map.of("A", "x", "B", "y")))));
        assertEquals("a,calls", intrinsics.resolve(Map.of("Fn::Join", List.of(",", List.of("a", Map.of("Ref", "Table"))))));
        assertEquals("{{resolve:secretsmanager:calls}}", intrinsics.resolve(Map.of("Fn::Sub", "{{resolve:secretsmanager:${Table}}}")));
    }

    @Test
    void keepsEscapedLiterals() {
        assertEquals("${Literal} calls", intrinsics.resolve(Map.of("Fn::Sub", "${!Literal} ${Table}")));
    }

    @Test
    void refusesWhatItCannotEvaluate() {
        assertThrows(IllegalArgumentException.class, () -> intrinsics.resolve(Map.of("Ref", "Unknown")));
        assertThrows(IllegalArgumentException.class, () -> intrinsics.resolve(Map.of("Fn::If", List.of("C", "a", "b"))));
    }
}
