package org.genbench.eval.forensics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Average precision and accuracy against scikit-learn (average_precision_reference.json). */
class ScoresTest {
    @Test
    void matchScikitLearn() throws IOException {
        JsonNode ref;
        try (InputStream in = ScoresTest.class.getResourceAsStream("/average_precision_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        for (JsonNode c : ref.get("cases")) {
            double[] scores = new double[c.get("scores").size()];
            int[] labels = new int[scores.length];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = c.get("scores").get(i).asDouble();
                labels[i] = c.get("labels").get(i).asInt();
            }
            String name = c.get("name").asText();
            assertEquals(c.get("averagePrecision").asDouble(), Scores.averagePrecision(scores, labels), 1e-12, name);
            assertEquals(c.get("accuracy").asDouble(), Scores.accuracy(scores, labels, 0.5), 1e-12, name);
        }
    }
}
