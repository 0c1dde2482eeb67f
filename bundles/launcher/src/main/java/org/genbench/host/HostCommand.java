package org.genbench.host;

import java.io.PrintStream;
import java.util.List;

/**
 * The one type the host and the bundles share. The host exports this package as a system package; the shell
 * bundle registers a HostCommand service that carries out the CLI's verbs inside the framework, and the launcher
 * (or a test, or a notebook) calls it. Only JDK types cross, so the host needs no bundle's classes.
 */
public interface HostCommand {
    /** Runs one verb ({@code run SPEC}, {@code list}, {@code runs}, ...) and returns its exit status. */
    int execute(List<String> args, PrintStream out, PrintStream err);
}
