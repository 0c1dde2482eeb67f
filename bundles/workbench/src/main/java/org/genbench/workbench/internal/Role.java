package org.genbench.workbench.internal;

import org.genbench.api.Component;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Evaluator;
import org.genbench.api.ModelFamily;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;

/** The five kinds of pluggable part, with the spec field that names each. */
enum Role {
    DATASET("dataset", "datasets", DatasetProvider.class),
    MODEL("model", "models", ModelFamily.class),
    TRAINER("trainer", "trainers", Trainer.class),
    SAMPLER("sampler", "samplers", Sampler.class),
    EVALUATOR("evaluator", "evaluators", Evaluator.class);

    final String label;
    final String plural;
    @SuppressWarnings("rawtypes")
    final Class<? extends Component> type;

    @SuppressWarnings("rawtypes")
    Role(String label, String plural, Class<? extends Component> type) {
        this.label = label;
        this.plural = plural;
        this.type = type;
    }
}
