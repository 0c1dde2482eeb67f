package org.genbench.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code bin/genbench serve [--port N] [--bind ADDRESS] [--token T | --no-token]}: the workbench with the web
 * dashboard (feature {@code web}). Felix HTTP binds to 127.0.0.1 unless told otherwise, and every request must
 * carry a random token that is printed with the address.
 */
public record Serve(int port, String bind, String token) {
    public static final int DEFAULT_PORT = 8077;
    public static final String DEFAULT_BIND = "127.0.0.1";

    public Serve {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be from 1 to 65535, was " + port);
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("--bind needs an address, e.g. 127.0.0.1");
        }
        if (token != null && !token.equals("none") && !token.matches("[A-Za-z0-9._~-]{16,200}")) {
            throw new IllegalArgumentException("--token must be 16 to 200 letters, digits or . _ ~ -");
        }
    }

    /** Parses the verb's options (the arguments after {@code serve}). */
    public static Serve parse(List<String> args) {
        int port = DEFAULT_PORT;
        String bind = DEFAULT_BIND;
        String token = null;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String opt = rest.remove(0);
            if (opt.equals("--no-token")) {
                token = "none";
                continue;
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("serve: " + opt + (opt.startsWith("--") ? " needs a value" : " is not an option")
                        + "; usage: serve [--port N] [--bind ADDRESS] [--token T | --no-token]");
            }
            String value = rest.remove(0);
            switch (opt) {
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number from 1 to 65535, was '" + value + "'");
                    }
                }
                case "--bind" -> bind = value;
                case "--token" -> token = value;
                default -> throw new IllegalArgumentException("serve: unknown option " + opt
                        + "; usage: serve [--port N] [--bind ADDRESS] [--token T | --no-token]");
            }
        }
        if (token == null) {
            byte[] bytes = new byte[16];
            new SecureRandom().nextBytes(bytes);
            token = HexFormat.of().formatHex(bytes);
        }
        return new Serve(port, bind, token);
    }

    /** The host configuration: feature {@code web} added, Felix HTTP's address and port, the dashboard's token. */
    public HostConfig configure(HostConfig config) {
        List<String> features = new ArrayList<>(config.features());
        if (!features.contains("web")) {
            features.add("web");
        }
        return config.withFeatures(features)
                .withProperty("org.osgi.service.http.port", Integer.toString(port))
                .withProperty("org.apache.felix.http.host", bind)
                .withProperty("genbench.web.token", token);
    }

    /** The address to open: with the token, and with the loopback name when bound to every interface. */
    public String url() {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port + "/" + (token.equals("none") ? "" : "?token=" + token);
    }

    /** Waits until the dashboard answers, or fails saying why (e.g. the port is taken). */
    public void awaitReady(long millis, PrintStream err) throws InterruptedException, IOException {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        URI probe = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/api/components");
        long deadline = System.currentTimeMillis() + millis;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) probe.toURL().openConnection();
                c.setRequestProperty("X-Genbench-Token", token);
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                int status = c.getResponseCode();
                c.disconnect();
                if (status == 200) {
                    return;
                }
                last = new IOException("the dashboard answered HTTP " + status);
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IOException("the dashboard did not come up on " + host + ":" + port + " within " + millis / 1000
                + " s (" + (last == null ? "no answer" : last.getMessage()) + "); is the port taken? try --port N");
    }

    /** Whether {@code bind} is a loopback address, so the dashboard is reachable from this machine only. */
    public boolean loopback() {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
