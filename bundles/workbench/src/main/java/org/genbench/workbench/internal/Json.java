package org.genbench.workbench.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import java.util.stream.Collectors;

/** The one JSON configuration of the workbench, and error messages that name the field at fault. */
final class Json {
    /** For the workbench's own types (specs, run records); never for a plug-in's classes. */
    static final ObjectMapper MAPPER = newMapper();

    private Json() {
    }

    /**
     * A mapper with caches of its own. Jackson caches (de)serializers and resolved types per mapper and, by
     * default, in a JVM-wide type cache; a plug-in's config class cached there would pin the plug-in's class loader
     * after the bundle is uninstalled. So plug-in classes only ever meet a mapper that is dropped after use.
     */
    static ObjectMapper newMapper() {
        ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        mapper.setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 200)));
        return mapper;
    }

    /** A one-line message: where in the document ({@code samplers[0].config.stepSize}) and what is wrong. */
    static String describe(JsonProcessingException e) {
        String path = e instanceof JsonMappingException m ? path(m) : "";
        String where = path.isEmpty() ? "" : "field '" + path + "': ";
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            return where.isEmpty() ? e.getCause().getMessage() : inField(path, e.getCause().getMessage());
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ", " (known fields: ", ")"));
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            return "unknown field '" + u.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in '" + parent + "'") + known;
        }
        if (e instanceof InvalidFormatException f) {
            return where + "expected " + typeName(f.getTargetType()) + ", got " + quote(f.getValue());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return where + "expected " + typeName(m.getTargetType()) + " (" + firstLine(m.getOriginalMessage()) + ")";
        }
        String location = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return where + firstLine(e.getOriginalMessage()) + location;
    }

    private static String inField(String path, String message) {
        // Record constructors say "field 'model' is missing"; inside a nested object prefix the parent path.
        int dot = path.lastIndexOf('.');
        return dot < 0 ? message : path.substring(0, dot) + ": " + message;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object (" + type.getSimpleName() + ")";
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
