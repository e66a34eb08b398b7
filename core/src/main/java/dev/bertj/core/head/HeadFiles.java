package dev.bertj.core.head;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.nn.Parameter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A head on disk: {@code heads/<id>/head.json} (id, version, config) and {@code heads/<id>/head.safetensors}
 * (its parameters by name), beside the encoder, so a fine-tuned model is one directory.
 */
public final class HeadFiles {

    public static final String CONFIG = "head.json";
    public static final String WEIGHTS = "head.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HeadFiles() {
    }

    /** Where head {@code id} lives in a model directory. */
    public static Path dir(Path modelDir, String id) {
        return modelDir.resolve("heads").resolve(id);
    }

    public static void save(TaskHead<?, ?, ?> head, Path headDir) throws IOException {
        Files.createDirectories(headDir);
        ObjectNode doc = JSON.createObjectNode();
        doc.put("id", head.descriptor().id());
        doc.put("version", head.descriptor().version());
        doc.set("config", head.config());
        SafetensorsWriter writer = new SafetensorsWriter(DType.F32).metadata("head", head.descriptor().id());
        for (Parameter p : head.parameters()) {
            float[] values = p.value().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            writer.add(p.name(), p.value().shape(), values);
        }
        writer.write(headDir.resolve(WEIGHTS));
        // head.json last, through a temp file: a directory with head.json is a complete head.
        AtomicFile.writeString(headDir.resolve(CONFIG), JSON.writeValueAsString(doc));
    }

    /** The {@code config} object of a saved head, checking that the directory holds head {@code id}. */
    public static ObjectNode readConfig(Path headDir, String id) throws IOException {
        Path file = headDir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing (not a saved head)");
        }
        var doc = JSON.readTree(file.toFile());
        if (!id.equals(doc.path("id").asText())) {
            throw new CheckpointException(file + ": holds head '" + doc.path("id").asText() + "', expected '" + id + "'");
        }
        var config = doc.get("config");
        return config instanceof ObjectNode o ? o : JSON.createObjectNode();
    }

    /** Loads every parameter's value from {@code head.safetensors}, checking names and shapes. */
    public static void loadParameters(Path headDir, List<Parameter> parameters) {
        Path file = headDir.resolve(WEIGHTS);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (Parameter p : parameters) {
                TensorInfo info = st.info(p.name());
                if (!Arrays.equals(info.shape(), p.value().shape())) {
                    throw new CheckpointException(file + ": tensor " + p.name() + " has shape " + info.shapeString()
                            + ", the head expects " + Arrays.toString(p.value().shape()));
                }
                FloatBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(info.size() * 4))
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
                st.readFloats(p.name(), dst);
                dst.flip();
                float[] values = new float[dst.remaining()];
                dst.get(values);
                p.value().assign(org.nd4j.linalg.factory.Nd4j.create(values, p.value().shape(), 'c')
                        .castTo(p.value().dataType()));
            }
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
