package org.genbench.workbench.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Why a plug-in is not there: a bundle that did not resolve (with the packages nothing exports), a bundle that is
 * resolved but not started, a component whose activation failed or whose references are unsatisfied. Read from the
 * framework's wiring API and the Declarative Services runtime, so the reason is the framework's own.
 */
final class PluginHealth {
    private static final Pattern PACKAGE = Pattern.compile("\\(osgi\\.wiring\\.package=([^)]+)\\)");
    private static final Pattern AT_LEAST = Pattern.compile("\\(version>=([^)]+)\\)");
    private static final Pattern BELOW = Pattern.compile("\\(!\\(version>=([^)]+)\\)\\)");

    private PluginHealth() {
    }

    static List<String> problems(BundleContext context, ServiceComponentRuntime scr) {
        List<String> out = new ArrayList<>();
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        FrameworkWiring wiring = system == null ? null : system.adapt(FrameworkWiring.class);
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0 || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            switch (b.getState()) {
                case Bundle.INSTALLED -> out.add(name(b) + " did not resolve: " + missing(b, wiring));
                case Bundle.RESOLVED -> out.add(name(b) + " is resolved but not started (its activator failed or it was stopped)");
                default -> {
                    // ACTIVE, STARTING, STOPPING: its components are checked below
                }
            }
        }
        if (scr != null) {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
                for (ComponentConfigurationDTO c : configs) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        out.add("component " + d.name + " of " + d.bundle.symbolicName + " " + version(context, d.bundle.id)
                                + " failed to activate: " + firstLine(c.failure));
                    } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE && c.unsatisfiedReferences.length > 0) {
                        out.add("component " + d.name + " of " + d.bundle.symbolicName + " " + version(context, d.bundle.id)
                                + " waits for a service it needs (reference '" + c.unsatisfiedReferences[0].name + "')");
                    }
                }
            }
        }
        return out;
    }

    private static String version(BundleContext context, long id) {
        Bundle b = context.getBundle(id);
        return b == null ? "" : b.getVersion().toString();
    }

    private static String name(Bundle b) {
        String location = b.getLocation();
        String file = location == null ? "" : location.substring(location.lastIndexOf('/') + 1);
        return (b.getSymbolicName() == null ? "bundle " + b.getBundleId() : b.getSymbolicName()) + " " + b.getVersion()
                + (file.isEmpty() ? "" : " (" + file + ")");
    }

    /** The non-optional package and bundle requirements nothing installed can satisfy. */
    static String missing(Bundle b, FrameworkWiring wiring) {
        BundleRevision revision = b.adapt(BundleRevision.class);
        if (revision == null || wiring == null) {
            return "unresolved";
        }
        List<String> missing = new ArrayList<>();
        for (BundleRequirement r : revision.getDeclaredRequirements(null)) {
            String namespace = r.getNamespace();
            if (namespace.startsWith("osgi.wiring.host") || namespace.equals("osgi.ee") || namespace.equals("osgi.identity")) {
                continue;
            }
            if (Namespace.RESOLUTION_OPTIONAL.equals(r.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            Collection<BundleCapability> providers = wiring.findProviders(r);
            if (providers.isEmpty()) {
                missing.add(describe(r));
            }
        }
        return missing.isEmpty() ? "unresolved (a bundle it needs did not resolve)" : "missing " + String.join(", ", missing);
    }

    static String describe(BundleRequirement r) {
        String filter = r.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
        if (PackageNamespace.PACKAGE_NAMESPACE.equals(r.getNamespace())) {
            Matcher p = PACKAGE.matcher(filter);
            String pkg = p.find() ? p.group(1) : filter;
            Matcher low = AT_LEAST.matcher(filter);
            Matcher high = BELOW.matcher(filter);
            String range = (low.find() ? "version >= " + low.group(1) : "") + (high.find() ? ", < " + high.group(1) : "");
            return "import " + pkg + (range.isEmpty() ? "" : " (" + range + ")");
        }
        return r.getNamespace() + " " + filter;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
