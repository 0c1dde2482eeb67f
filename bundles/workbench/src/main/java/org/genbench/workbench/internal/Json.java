package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;

/** The one JSON configuration of the workbench for what it writes (run records, resolved specs). */
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
}
