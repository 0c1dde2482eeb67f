package org.genbench.eval.structure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ClusterScoresTest {
    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /** ARI and NMI equal scikit-learn's (datasets/reference/clustering_scores.py) on seven cases. */
    @Test
    void matchScikitLearn() throws IOException {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/clustering_scores_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        int checked = 0;
        for (JsonNode c : ref.path("cases")) {
            int[] labels = ints(c.path("labels"));
            int[] clusters = ints(c.path("clusters"));
            String name = c.path("name").asText();
            assertEquals(c.path("ari").asDouble(), ClusterScores.adjustedRandIndex(labels, clusters), 1e-12, "ARI, " + name);
            assertEquals(c.path("nmi").asDouble(), ClusterScores.normalizedMutualInformation(labels, clusters), 1e-12,
                    "NMI, " + name);
            checked++;
        }
        assertEquals(7, checked);
    }

    @Test
    void purityCountsEachClustersMajority() {
        assertEquals(5 / 6.0, StructureEvaluator.purity(new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 0, 1, 2, 2, 2}, 3, 3),
                1e-15);
    }
}
