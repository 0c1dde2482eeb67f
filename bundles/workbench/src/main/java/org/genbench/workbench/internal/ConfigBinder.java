package org.genbench.workbench.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.genbench.api.spec.Names;

/**
 * Builds a component's settings record from a spec's {@code config} values, strictly: each value must already be
 * of the field's JSON type (an integral number for an integer, never a string for a number or a fraction for an
 * integer), within the range of the Java type, finite and of a sane magnitude; strings are bounded; unknown fields
 * are refused naming the known ones. Then the record's constructor fills defaults and checks ranges, and what it
 * refuses is reported against the field it names.
 *
 * <p>Plain reflection instead of a JSON binder: nothing about a plug-in's class is cached here, so an uninstalled
 * plug-in's class loader is never pinned, and the messages are ours.
 */
final class ConfigBinder {
    /**
     * No setting of a shipped component means anything beyond this magnitude (step sizes, noise, scales, rates);
     * larger values are typing mistakes that would otherwise overflow to infinities deep inside a run.
     */
    static final double MAX_MAGNITUDE = 1e12;
    /** Longer strings are not settings (a path is at most 4096 bytes on Linux). */
    static final int MAX_STRING = 4096;
    private static final Pattern LEADING_FIELD = Pattern.compile("^'?([A-Za-z_][A-Za-z0-9_]*)'?\\s*(?::\\s*)?(.*)$",
            Pattern.DOTALL);

    private ConfigBinder() {
    }

    /**
     * @param where the settings' place in the spec, e.g. {@code samplers[1] (hmc).config}
     * @throws IllegalArgumentException with a message that starts with {@code where} and names the field
     */
    static <R extends Record> R bind(Class<R> type, Map<String, Object> values, String where) {
        return type.cast(record(type, values == null ? Map.of() : values, where));
    }

    private static Object record(Class<?> type, Map<?, ?> values, String where) {
        RecordComponent[] components = type.getRecordComponents();
        List<String> known = Arrays.stream(components).map(RecordComponent::getName).toList();
        for (Object key : values.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(where + ": unknown field " + Names.quote(String.valueOf(key))
                        + (known.isEmpty() ? " (this component has no settings)"
                        : " (known fields: " + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
        }
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            args[i] = convert(c.getGenericType(), values.get(c.getName()), where + "." + c.getName());
        }
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new IllegalArgumentException(where + ": the component's settings type " + type.getSimpleName()
                    + " cannot be built (" + e.getClass().getSimpleName() + "); a fault of the plug-in");
        }
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                throw new IllegalArgumentException(attribute(where, known, cause.getMessage()));
            }
            throw new IllegalArgumentException(where + ": the component failed to check its settings ("
                    + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                    + "); a fault of the plug-in");
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(where + ": the component's settings type " + type.getSimpleName()
                    + " cannot be built (" + e.getClass().getSimpleName() + "); a fault of the plug-in");
        }
    }

    /**
     * A record's own message, e.g. {@code stepSize must be > 0, was 0}, placed on its field:
     * {@code samplers[1] (hmc).config.stepSize: must be > 0, was 0}. Messages that start with no field name stay whole.
     */
    static String attribute(String where, List<String> fields, String message) {
        if (message == null || message.isBlank()) {
            return where + ": refused by the component without a reason";
        }
        Matcher m = LEADING_FIELD.matcher(message);
        if (m.matches() && fields.contains(m.group(1)) && !m.group(2).isBlank()) {
            return where + "." + m.group(1) + ": " + m.group(2);
        }
        return where + ": " + message;
    }

    private static Object convert(Type type, Object value, String where) {
        Class<?> raw = raw(type);
        if (value == null) {
            if (raw.isPrimitive()) {
                throw new IllegalArgumentException(where + " is missing (it has no default)");
            }
            return null;
        }
        if (raw == Integer.class || raw == int.class) {
            return (int) integral(value, where, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == Long.class || raw == long.class) {
            return integral(value, where, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == Short.class || raw == short.class) {
            return (short) integral(value, where, Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            double d = number(value, where);
            return raw == Float.class || raw == float.class ? (Object) (float) d : (Object) d;
        }
        if (raw == Boolean.class || raw == boolean.class) {
            if (!(value instanceof Boolean)) {
                throw new IllegalArgumentException(where + ": expected true or false, got " + show(value));
            }
            return value;
        }
        if (raw == String.class) {
            if (!(value instanceof String s)) {
                throw new IllegalArgumentException(where + ": expected a string, got " + show(value));
            }
            if (s.length() > MAX_STRING) {
                throw new IllegalArgumentException(where + ": at most " + MAX_STRING + " characters, got " + s.length());
            }
            if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException(where + ": contains a control character: " + Names.quote(s));
            }
            return s;
        }
        if (raw.isEnum()) {
            if (value instanceof String s) {
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(s)) {
                        return constant;
                    }
                }
            }
            throw new IllegalArgumentException(where + ": expected one of " + Arrays.toString(raw.getEnumConstants())
                    + ", got " + show(value));
        }
        if (raw.isArray()) {
            if (!(value instanceof List<?> list)) {
                throw new IllegalArgumentException(where + ": expected a list, got " + show(value));
            }
            Object array = java.lang.reflect.Array.newInstance(raw.getComponentType(), list.size());
            for (int i = 0; i < list.size(); i++) {
                Object element = convert(raw.getComponentType(), list.get(i), where + "[" + i + "]");
                if (element == null && raw.getComponentType().isPrimitive()) {
                    throw new IllegalArgumentException(where + "[" + i + "]: expected a number, got null");
                }
                java.lang.reflect.Array.set(array, i, element);
            }
            return array;
        }
        if (List.class.isAssignableFrom(raw)) {
            if (!(value instanceof List<?> list)) {
                throw new IllegalArgumentException(where + ": expected a list, got " + show(value));
            }
            Type element = argument(type, 0);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(convert(element, list.get(i), where + "[" + i + "]"));
            }
            return java.util.Collections.unmodifiableList(out);
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(where + ": expected an object, got " + show(value));
            }
            Type element = argument(type, 1);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                out.put(key, convert(element, e.getValue(), where + "." + SpecReader.key(key)));
            }
            return java.util.Collections.unmodifiableMap(out);
        }
        if (raw.isRecord()) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(where + ": expected an object, got " + show(value));
            }
            return record(raw, map, where);
        }
        if (raw == Object.class || raw.isInstance(value)) {
            return value;
        }
        throw new IllegalArgumentException(where + ": the component's setting of type " + raw.getSimpleName()
                + " cannot be given in a spec; a fault of the plug-in");
    }

    private static long integral(Object value, String where, long min, long max) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long v = ((Number) value).longValue();
            if (v >= min && v <= max) {
                return v;
            }
        } else if (!(value instanceof BigInteger)) {
            throw new IllegalArgumentException(where + ": expected an integer, got " + show(value));
        }
        throw new IllegalArgumentException(where + ": must be an integer from " + min + " to " + max + ", was " + value);
    }

    private static double number(Object value, String where) {
        if (!(value instanceof Number n) || value instanceof BigInteger && ((BigInteger) value).bitLength() > 1023) {
            throw new IllegalArgumentException(where + ": expected a number, got " + show(value));
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(where + ": must be a finite number, was " + d);
        }
        if (Math.abs(d) > MAX_MAGNITUDE) {
            throw new IllegalArgumentException(where + ": " + value + " is beyond any sensible setting (|value| <= "
                    + (long) MAX_MAGNITUDE + ")");
        }
        return d;
    }

    /** A Java value from a spec for a message: {@code "42" (a string)}. */
    static String show(Object value) {
        if (value instanceof String s) {
            return Names.quote(s).replace('\'', '"') + " (a string)";
        }
        if (value instanceof Boolean) {
            return value + " (true or false)";
        }
        if (value instanceof Number) {
            return value + " (a number)";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Map) {
            return "an object";
        }
        return String.valueOf(value);
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments().length > index
                ? p.getActualTypeArguments()[index] : Object.class;
    }
}
