package dev.bertj.core.model;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An in-memory tensor store for tests: names, shapes and float values. */
final class MapTensorStore implements TensorStore {

    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();

    MapTensorStore put(String name, long[] shape, float[] data) {
        infos.put(name, new TensorInfo(name, DType.F32, shape));
        values.put(name, data);
        return this;
    }

    MapTensorStore remove(String name) {
        infos.remove(name);
        values.remove(name);
        return this;
    }

    /** Every parameter of {@code model} under {@code prefix + name}. */
    static MapTensorStore of(BertModel model, String prefix) {
        MapTensorStore s = new MapTensorStore();
        model.parameters().forEach(p -> s.put(p.name().startsWith("cls.") ? p.name() : prefix + p.name(),
                p.value().shape(), p.value().dup().data().asFloat()));
        return s;
    }

    @Override
    public String source() {
        return "memory";
    }

    @Override
    public Set<String> names() {
        return infos.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo i = infos.get(name);
        if (i == null) {
            throw new CheckpointException("memory: no tensor " + name);
        }
        return i;
    }

    @Override
    public void readFloats(String name, FloatBuffer dst) {
        info(name);
        dst.put(values.get(name));
    }

    @Override
    public void close() {
    }
}
