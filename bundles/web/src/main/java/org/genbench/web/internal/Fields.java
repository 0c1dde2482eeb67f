package org.genbench.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which field of the compose form a problem belongs to, so the page shows it there: {@code name}, {@code seed},
 * {@code dataset}, {@code model}, {@code trainer}, {@code samplers[i]}, {@code evaluators[i]}, or {@code spec} when
 * the message names none. The workbench names the place of a problem in its message, either as a path at its
 * start ({@code samplers[1] (hmc).config.stepSize: ...}) or by role and id ({@code sampler 'hmc' needs Energy});
 * for the latter the id is looked up in the spec that was sent.
 */
final class Fields {
    private static final Pattern PATH = Pattern.compile(
            "^\\s*(?:invalid spec: )?(?:\\S+\\.json: )?'?(name|seed|dataset|model|trainer|samplers\\[\\d+]|evaluators\\[\\d+])(?=[\\s.'(:\\[]|$)");
    private static final Pattern ROLE = Pattern.compile(
            "\\b(dataset|model|trainer|sampler|evaluator) '([^']*)'");
    private static final Pattern ANY_PATH = Pattern.compile(
            "'((?:samplers|evaluators)\\[\\d+]|dataset|model|trainer|name|seed)(?:[.\\[][^']*)?'");
    private static final Pattern MISSING_TRAINER = Pattern.compile("^\\s*trainer is missing");

    private Fields() {
    }

    /** The form field {@code message} is about, given the spec ({@code null} if it could not be parsed). */
    static String of(String message, JsonNode spec) {
        if (MISSING_TRAINER.matcher(message).find()) {
            return "trainer";
        }
        Matcher m = PATH.matcher(message);
        if (m.find()) {
            return m.group(1);
        }
        Matcher quoted = ANY_PATH.matcher(message);
        if (quoted.find()) {
            return quoted.group(1);
        }
        Matcher role = ROLE.matcher(message);
        if (role.find()) {
            String r = role.group(1);
            String id = role.group(2);
            return switch (r) {
                case "sampler" -> indexed("samplers", id, spec);
                case "evaluator" -> indexed("evaluators", id, spec);
                default -> r;
            };
        }
        return "spec";
    }

    /** {@code samplers[i]} for the first entry whose id (or type, when it has no id) is {@code id}. */
    private static String indexed(String list, String id, JsonNode spec) {
        JsonNode entries = spec == null ? null : spec.path(list);
        if (entries != null && entries.isArray()) {
            for (int i = 0; i < entries.size(); i++) {
                JsonNode e = entries.get(i);
                String eid = e.hasNonNull("id") ? e.get("id").asText() : e.path("type").asText();
                if (eid.equals(id)) {
                    return list + "[" + i + "]";
                }
            }
        }
        return list;
    }
}
