package org.genbench.web.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenTest {
    @Test
    void aConfiguredTokenMatchesOnlyItself() {
        Token t = Token.of("abcdefabcdefabcdef");
        assertTrue(t.required());
        assertTrue(t.matches("abcdefabcdefabcdef"));
        assertFalse(t.matches("abcdefabcdefabcdeF"));
        assertFalse(t.matches("abcdefabcdefabcde"));
        assertFalse(t.matches(""));
        assertFalse(t.matches(null));
    }

    @Test
    void withoutConfigurationATokenIsRandomAndNoneSwitchesTheCheckOff() {
        Token a = Token.of(null);
        Token b = Token.of("  ");
        assertTrue(a.value().matches("[0-9a-f]{32}"), a.value());
        assertNotEquals(a.value(), b.value());
        Token none = Token.of("none");
        assertFalse(none.required());
        assertTrue(none.matches(null));
    }
}
