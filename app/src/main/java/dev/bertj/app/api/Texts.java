package dev.bertj.app.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code inputs} of a request: one string or a list of strings, as in Hugging Face pipelines and TEI. Whether
 * a list was sent decides the answer's shape (a list per input) for endpoints that care.
 */
@JsonDeserialize(using = Texts.Reader.class)
public record Texts(List<String> values, boolean batched) {

    public int size() {
        return values.size();
    }

    public String get(int i) {
        return values.get(i);
    }

    static final class Reader extends JsonDeserializer<Texts> {
        @Override
        public Texts deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return new Texts(List.of(p.getText()), false);
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                return (Texts) ctx.handleUnexpectedToken(Texts.class, p.currentToken(), p,
                        "expected a string or a list of strings, got %s", describe(p.currentToken()));
            }
            List<String> values = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_STRING) {
                    return (Texts) ctx.handleUnexpectedToken(Texts.class, t, p,
                            "expected a list of strings, but item %d is %s", values.size(), describe(t));
                }
                values.add(p.getText());
            }
            return new Texts(List.copyOf(values), true);
        }

        private static String describe(JsonToken t) {
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "a list";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> String.valueOf(t);
            };
        }
    }
}
