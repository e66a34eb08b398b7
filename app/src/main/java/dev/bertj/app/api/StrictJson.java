package dev.bertj.app.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request JSON is read strictly, so that a client's mistake is a 400 naming the field rather than a silent
 * guess: no unknown fields, no numbers or booleans where text is expected (and the reverse), no fractions where a
 * count is expected, no trailing garbage, and parser limits far below the defaults (a request is a few texts,
 * not a document).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** Deepest nesting a request can have; real requests have 3. */
    static final int MAX_NESTING = 32;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean}) {
            var c = mapper.coercionConfigFor(t);
            c.setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer || t == LogicalType.Float
                    ? CoercionAction.TryConvert : CoercionAction.Fail);
            c.setCoercion(CoercionInputShape.Float, t == LogicalType.Float ? CoercionAction.TryConvert
                    : CoercionAction.Fail);
            c.setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert
                    : CoercionAction.Fail);
            if (t != LogicalType.Textual) {
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
                c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
            }
        }
        mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(64)
                .build());
    }
}
