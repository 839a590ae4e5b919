package dev.callcontrol.local;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the CloudFormation intrinsic functions template.yaml uses in values the local runtime
 * needs (environment variables, table names): {@code Ref}, {@code Fn::Sub}, {@code Fn::GetAtt},
 * {@code Fn::If} is not used and is refused rather than guessed.
 */
final class Intrinsics {
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final Function<String, String> references;

    /** @param references the value of {@code Ref name} (parameters, pseudo parameters, resources) */
    Intrinsics(Function<String, String> references) {
        this.references = references;
    }

    String resolve(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            var entry = map.entrySet().iterator().next();
            String function = String.valueOf(entry.getKey());
            Object argument = entry.getValue();
            switch (function) {
                case "Ref":
                    return reference(String.valueOf(argument));
                case "Fn::Sub":
                    return substitute(argument);
                case "Fn::GetAtt":
                    List<?> parts = (List<?>) argument;
                    return reference(parts.get(0) + "." + parts.get(1));
                case "Fn::Join":
                    List<?> join = (List<?>) argument;
                    StringBuilder joined = new StringBuilder();
                    for (Object part : (List<?>) join.get(1)) {
                        if (!joined.isEmpty()) {
                            joined.append(join.get(0));
                        }
                        joined.append(resolve(part));
                    }
                    return joined.toString();
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("the local runtime cannot evaluate " + value);
    }

    private String substitute(Object argument) {
        String text;
        Map<?, ?> variables = Map.of();
        if (argument instanceof List<?> list) {
            text = String.valueOf(list.get(0));
            variables = (Map<?, ?>) list.get(1);
        } else {
            text = String.valueOf(argument);
        }
        Matcher matcher = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement = variables.containsKey(name) ? resolve(variables.get(name)) : reference(name);
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        // ${!Literal} is CloudFormation's escape for a literal ${Literal}.
        return out.toString().replace("${!", "${");
    }

    private String reference(String name) {
        String value = references.apply(name);
        if (value == null) {
            throw new IllegalArgumentException("the local runtime has no value for " + name);
        }
        return value;
    }
}
