package org.genbench.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The dashboard's access token. Every request must carry it: as {@code ?token=} once (the page then keeps it in an
 * HTTP-only, same-site cookie), as that cookie, or as the {@code X-Genbench-Token} header. Compared in constant time.
 * {@code none} switches the check off (for a dashboard behind the user's own authentication).
 */
final class Token {
    static final String COOKIE = "genbench_token";
    static final String HEADER = "X-Genbench-Token";
    static final String NONE = "none";

    private final String value;

    Token(String value) {
        this.value = value;
    }

    /** The configured token, or a fresh random one (128 bits, hex) when none is configured. */
    static Token of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return new Token(configured.trim());
        }
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return new Token(HexFormat.of().formatHex(bytes));
    }

    boolean required() {
        return !NONE.equals(value);
    }

    String value() {
        return value;
    }

    boolean matches(String candidate) {
        if (!required()) {
            return true;
        }
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }
}
