package org.genbench.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/** What Jupyter starts ({@code kernel.json}'s argv): {@code KernelMain CONNECTION_FILE}. */
public final class KernelMain {
    private KernelMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !Files.isRegularFile(Path.of(args[0]))) {
            System.err.println("usage: KernelMain CONNECTION_FILE (Jupyter passes it; see bin/genbench notebook)");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(props);
        GenbenchKernel kernel = GenbenchKernel.create();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        // ND4J and the framework leave non-daemon threads; the shutdown hooks stop the workbench on the way out.
        System.exit(0);
    }
}
