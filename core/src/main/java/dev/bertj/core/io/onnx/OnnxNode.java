package dev.bertj.core.io.onnx;

import dev.bertj.core.io.ProtoReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One ONNX {@code NodeProto}: an operator with its input and output value names and attributes. */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {

    /** One {@code AttributeProto}; only the kinds a BERT graph uses are kept. */
    public record Attribute(String name, float f, long i, String s, OnnxTensor t, long[] ints) {
    }

    static OnnxNode parse(ProtoReader r, String source) {
        String name = "";
        String op = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> inputs.add(r.string());
                case 2 -> outputs.add(r.string());
                case 3 -> name = r.string();
                case 4 -> op = r.string();
                case 5 -> {
                    Attribute a = parseAttribute(r.message("attribute"), source);
                    attributes.put(a.name(), a);
                }
                case 7 -> domain = r.string();
                default -> r.skip();
            }
        }
        return new OnnxNode(name, op, domain, List.copyOf(inputs), List.copyOf(outputs), Map.copyOf(attributes));
    }

    private static Attribute parseAttribute(ProtoReader r, String source) {
        String name = "";
        float f = 0;
        long i = 0;
        String s = null;
        OnnxTensor t = null;
        OnnxTensor.LongList ints = new OnnxTensor.LongList();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string();
                case 2 -> f = r.float32();
                case 3 -> i = r.varint();
                case 4 -> s = r.string();
                case 5 -> t = OnnxTensor.parse(r.message("tensor attribute"), source);
                case 8 -> r.varints(ints::add);
                default -> r.skip();
            }
        }
        return new Attribute(name, f, i, s, t, ints.toArray());
    }

    public String input(int k) {
        return k < inputs.size() ? inputs.get(k) : "";
    }

    public String output(int k) {
        return k < outputs.size() ? outputs.get(k) : "";
    }

    public Attribute attribute(String key) {
        return attributes.get(key);
    }

    @Override
    public String toString() {
        return opType + " " + name + " " + inputs + " -> " + outputs;
    }
}
