package org.genbench.api.spec;

/**
 * Names that become file names: an experiment's {@code name} (its run directory), a component's {@code type} and
 * {@code id} ({@code samples/<id>.arrow}, {@code outputs/<id>/}). Each must be one safe path segment: ASCII
 * letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or digit (so never {@code .},
 * {@code ..} or a hidden file), at most {@value #MAX_LENGTH} characters.
 */
public final class Names {
    public static final int MAX_LENGTH = 64;
    /** The rule in words, for messages. */
    public static final String RULE = "1 to " + MAX_LENGTH + " characters from A-Z a-z 0-9 . _ -, starting with a letter"
            + " or digit";

    private Names() {
    }

    public static boolean isSafe(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || !letterOrDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code name}, or an {@link IllegalArgumentException} that names {@code field} and the rule. */
    public static String check(String field, String name) {
        if (!isSafe(name)) {
            throw new IllegalArgumentException(field + " must be " + RULE + ", was " + quote(name));
        }
        return name;
    }

    /**
     * A value for a message: quoted, control and non-ASCII characters escaped, cut to 60 characters, so a hostile
     * string cannot flood or garble the terminal.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < value.length() && shown < 60; i++, shown++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        sb.append('\'');
        if (value.length() > 60) {
            sb.append(" (").append(value.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
