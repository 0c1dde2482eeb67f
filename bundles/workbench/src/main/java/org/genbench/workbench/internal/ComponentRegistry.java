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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Every installed component, kept current through dynamic references: a bundle that arrives in
 * {@code workspace/plugins/} appears here without a restart, one that leaves disappears, and runs that use a
 * departing component are told so they can fail cleanly. When two versions of one bundle provide the same
 * component, the newer one is used and the older one is shadowed (and said to be); plug-ins that did not resolve
 * or start are reported with the reason ({@link PluginHealth}).
 */
@org.osgi.service.component.annotations.Component(service = ComponentRegistry.class)
public final class ComponentRegistry {
    private final Map<Long, Registered> byServiceId = new ConcurrentHashMap<>();
    private final List<Consumer<Registered>> departureListeners = new CopyOnWriteArrayList<>();
    private final BundleContext context;
    private volatile ServiceComponentRuntime scr;

    /** For tests that run the workbench without a framework. */
    public ComponentRegistry() {
        this(null);
    }

    @Activate
    public ComponentRegistry(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setScr(ServiceComponentRuntime runtime) {
        this.scr = runtime;
    }

    void unsetScr(ServiceComponentRuntime runtime) {
        if (this.scr == runtime) {
            this.scr = null;
        }
    }

    /**
     * True while the framework itself is stopping (a signal, the end of the CLI): components leave then because the
     * workbench goes, not because a plug-in was removed.
     */
    boolean frameworkStopping() {
        if (context == null) {
            return false;
        }
        try {
            Bundle system = context.getBundle(0);
            return system == null || system.getState() == Bundle.STOPPING;
        } catch (IllegalStateException e) {
            return true; // our own context is no longer valid: we are being stopped
        }
    }

    /** Bundles that did not resolve or start, and components that failed to activate, each with the reason. */
    List<String> notStarted() {
        return context == null ? List.of() : PluginHealth.problems(context, scr);
    }

    /** For a refusal that may be caused by a broken plug-in: a note naming the plug-ins that did not start. */
    String notStartedNote() {
        List<String> broken = notStarted();
        return broken.isEmpty() ? "" : "; not started: " + String.join("; ", broken);
    }

    /** Components hidden by a newer version of the same bundle, as {@code role name (bundle version)}. */
    List<String> shadowed() {
        List<String> out = new ArrayList<>();
        for (Registered r : byServiceId.values()) {
            Registered winner = find(r.role(), r.name()).orElse(r);
            if (winner.serviceId() != r.serviceId()) {
                out.add(r.role().label + " '" + r.name() + "' of " + r.bundle() + " " + r.bundleVersion()
                        + " is shadowed by " + winner.bundle() + " " + winner.bundleVersion());
            }
        }
        out.sort(null);
        return out;
    }

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

    /**
     * The component of {@code role} called {@code name}. When several provide it, the newest bundle version wins
     * (a newer jar of a plug-in replaces the older one even while both are installed), then the earliest service.
     */
    Optional<Registered> find(Role role, String name) {
        return byServiceId.values().stream()
                .filter(r -> r.role() == role && r.name().equals(name))
                .min(PREFERENCE);
    }

    private static final Comparator<Registered> PREFERENCE = Comparator
            .comparing((Registered r) -> version(r.bundleVersion()), Comparator.reverseOrder())
            .thenComparingLong(Registered::serviceId);

    private static Version version(String v) {
        try {
            return Version.parseVersion(v);
        } catch (IllegalArgumentException e) {
            return Version.emptyVersion;
        }
    }

    /** The components of {@code role} that {@link #find} would pick, by name. */
    List<Registered> all(Role role) {
        List<Registered> out = new ArrayList<>();
        for (Registered r : byServiceId.values()) {
            if (r.role() == role && find(role, r.name()).map(w -> w.serviceId() == r.serviceId()).orElse(false)) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(Registered::name));
        return out;
    }

    /** Every component that {@link #find} would pick, by role and name. */
    List<Registered> all() {
        List<Registered> out = new ArrayList<>();
        for (Role role : Role.values()) {
            out.addAll(all(role));
        }
        return out;
    }
}
