package dev.bertj.core.io.onnx;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.ProtoReader;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} an importer needs: the graph's initializers (in file order), its nodes
 * (in topological order, as ONNX requires), and the producer and consumers of every value.
 */
public final class OnnxGraph {

    private final String source;
    private final Map<String, OnnxTensor> initializers;
    private final List<OnnxNode> nodes;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();

    private OnnxGraph(String source, Map<String, OnnxTensor> initializers, List<OnnxNode> nodes, List<String> inputs,
                      List<String> outputs) {
        this.source = source;
        this.initializers = Collections.unmodifiableMap(initializers);
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (OnnxNode n : nodes) {
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    /** Parses a serialized ModelProto; the returned graph's raw tensor data are views into {@code model}. */
    public static OnnxGraph parse(ByteBuffer model, String source) {
        ProtoReader m = new ProtoReader(model, source, "ModelProto");
        ProtoReader graph = null;
        while (m.next()) {
            if (m.field() == 7 && m.wireType() == ProtoReader.LENGTH_DELIMITED) {
                graph = m.message("GraphProto");
            } else {
                m.skip();
            }
        }
        if (graph == null) {
            throw new CheckpointException(source + ": not an ONNX model: no graph found");
        }
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<OnnxNode> nodes = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (graph.next()) {
            switch (graph.field()) {
                case 1 -> nodes.add(OnnxNode.parse(graph.message("NodeProto"), source));
                case 5 -> {
                    OnnxTensor t = OnnxTensor.parse(graph.message("initializer"), source);
                    initializers.put(t.name(), t);
                }
                case 11 -> inputs.add(valueInfoName(graph.message("input")));
                case 12 -> outputs.add(valueInfoName(graph.message("output")));
                default -> graph.skip();
            }
        }
        if (nodes.isEmpty() && initializers.isEmpty()) {
            throw new CheckpointException(source + ": not an ONNX model: the graph has no nodes and no initializers");
        }
        return new OnnxGraph(source, initializers, nodes, inputs, outputs);
    }

    private static String valueInfoName(ProtoReader r) {
        String name = "";
        while (r.next()) {
            if (r.field() == 1) {
                name = r.string();
            } else {
                r.skip();
            }
        }
        return name;
    }

    public String source() {
        return source;
    }

    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    public OnnxTensor initializer(String name) {
        return initializers.get(name);
    }

    public List<OnnxNode> nodes() {
        return nodes;
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The node computing {@code value}, or null for graph inputs and initializers. */
    public OnnxNode producer(String value) {
        return producers.get(value);
    }

    public List<OnnxNode> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The constant behind {@code value}: an initializer or a Constant node's tensor; null if not constant. */
    public OnnxTensor constant(String value) {
        OnnxTensor t = initializers.get(value);
        if (t != null) {
            return t;
        }
        OnnxNode p = producers.get(value);
        if (p != null && p.opType().equals("Constant")) {
            OnnxNode.Attribute a = p.attribute("value");
            return a == null ? null : a.t();
        }
        return null;
    }
}
