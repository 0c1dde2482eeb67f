package org.genbench.workbench.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.genbench.api.Component;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Evaluator;
import org.genbench.api.ModelFamily;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Every installed component, kept current through dynamic references: a bundle that arrives in
 * {@code workspace/plugins/} appears here without a restart, one that leaves disappears, and runs that use a
 * departing component are told so they can fail cleanly.
 */
@org.osgi.service.component.annotations.Component(service = ComponentRegistry.class)
public final class ComponentRegistry {
    private final Map<Long, Registered> byServiceId = new ConcurrentHashMap<>();
    private final List<Consumer<Registered>> departureListeners = new CopyOnWriteArrayList<>();

    @Reference(service = DatasetProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addDataset(ServiceReference<?> ref, DatasetProvider<?> c) {
        add(Role.DATASET, ref, c);
    }

    void removeDataset(ServiceReference<?> ref) {
        remove(ref);
    }

    @Reference(service = ModelFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addModel(ServiceReference<?> ref, ModelFamily<?> c) {
        add(Role.MODEL, ref, c);
    }

    void removeModel(ServiceReference<?> ref) {
        remove(ref);
    }

    @Reference(service = Trainer.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addTrainer(ServiceReference<?> ref, Trainer<?> c) {
        add(Role.TRAINER, ref, c);
    }

    void removeTrainer(ServiceReference<?> ref) {
        remove(ref);
    }

    @Reference(service = Sampler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSampler(ServiceReference<?> ref, Sampler<?> c) {
        add(Role.SAMPLER, ref, c);
    }

    void removeSampler(ServiceReference<?> ref) {
        remove(ref);
    }

    @Reference(service = Evaluator.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addEvaluator(ServiceReference<?> ref, Evaluator<?> c) {
        add(Role.EVALUATOR, ref, c);
    }

    void removeEvaluator(ServiceReference<?> ref) {
        remove(ref);
    }

    private void add(Role role, ServiceReference<?> ref, Component<?> component) {
        long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        add(new Registered(role, component, ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString(), id));
    }

    private void remove(ServiceReference<?> ref) {
        remove((Long) ref.getProperty(Constants.SERVICE_ID));
    }

    /** Registers a component directly; for tests that run the workbench without a framework. */
    void add(Registered registered) {
        byServiceId.put(registered.serviceId(), registered);
    }

    void remove(long serviceId) {
        Registered gone = byServiceId.remove(serviceId);
        if (gone != null) {
            departureListeners.forEach(l -> l.accept(gone));
        }
    }

    void onDeparture(Consumer<Registered> listener) {
        departureListeners.add(listener);
    }

    void removeDepartureListener(Consumer<Registered> listener) {
        departureListeners.remove(listener);
    }

    /** The component of {@code role} called {@code name}; with duplicates, the highest-ranked (lowest id) wins. */
    Optional<Registered> find(Role role, String name) {
        return byServiceId.values().stream()
                .filter(r -> r.role() == role && r.name().equals(name))
                .min(Comparator.comparingLong(Registered::serviceId));
    }

    List<Registered> all(Role role) {
        List<Registered> out = new ArrayList<>();
        for (Registered r : byServiceId.values()) {
            if (r.role() == role) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(Registered::name));
        return out;
    }

    List<Registered> all() {
        List<Registered> out = new ArrayList<>(byServiceId.values());
        out.sort(Comparator.comparing((Registered r) -> r.role().ordinal()).thenComparing(Registered::name));
        return out;
    }
}
