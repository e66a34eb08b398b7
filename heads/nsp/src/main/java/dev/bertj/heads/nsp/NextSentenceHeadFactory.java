package dev.bertj.heads.nsp;

import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.nn.Parameter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Registers the next-sentence head. Google's TF-Hub BERT-base carries no NSP weights, so this jar ships a head
 * trained by bertj itself for that encoder; it is matched to the encoder by a fingerprint of the pooler's bias,
 * never by a name, so it is never applied to weights it was not trained on.
 */
public final class NextSentenceHeadFactory implements HeadFactory {

    static final HeadDescriptor DESCRIPTOR = new HeadDescriptor("nsp", "1.0.0",
            "Next-sentence prediction: pooled [CLS] -> IsNext / NotNext",
            NextSentenceRequest.class, NextSentenceAnswer.class);
    static final String SHIPPED = "/dev/bertj/heads/nsp/shipped/";

    @Override
    public HeadDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options) {
        return NextSentenceHead.fresh(context);
    }

    @Override
    public TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException {
        HeadFiles.readConfig(headDir, DESCRIPTOR.id());
        NextSentenceHead head = NextSentenceHead.fresh(context);
        HeadFiles.loadParameters(headDir, head.parameters());
        return head;
    }

    /** The checkpoint's own {@code cls.seq_relationship}, else the shipped head trained for this exact encoder. */
    @Override
    public Optional<TaskHead<?, ?, ?>> fromModel(HeadContext context) {
        if (context.modelDir() != null) {
            Path weights = context.modelDir().resolve("model.safetensors");
            if (Files.isRegularFile(weights)) {
                try (SafetensorsFile st = SafetensorsFile.open(weights)) {
                    if (st.contains(NextSentenceHead.PREFIX + ".weight")) {
                        NextSentenceHead head = NextSentenceHead.fresh(context);
                        for (Parameter p : head.parameters()) {
                            p.value().assign(org.nd4j.linalg.factory.Nd4j.create(st.readFloats(p.name()),
                                    p.value().shape(), 'c'));
                        }
                        return Optional.of(head);
                    }
                }
            }
        }
        return context.encoderParameter("pooler.dense.bias").flatMap(bias -> shipped(context, fingerprint(bias)));
    }

    private Optional<TaskHead<?, ?, ?>> shipped(HeadContext context, String fingerprint) {
        String base = SHIPPED + fingerprint + "/";
        try (InputStream json = getClass().getResourceAsStream(base + HeadFiles.CONFIG);
             InputStream weights = getClass().getResourceAsStream(base + HeadFiles.WEIGHTS)) {
            if (json == null || weights == null) {
                return Optional.empty();
            }
            Path dir = Files.createTempDirectory("bertj-nsp-head");
            try {
                Files.copy(json, dir.resolve(HeadFiles.CONFIG), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(weights, dir.resolve(HeadFiles.WEIGHTS), StandardCopyOption.REPLACE_EXISTING);
                return Optional.of(load(context, dir));
            } finally {
                Files.deleteIfExists(dir.resolve(HeadFiles.CONFIG));
                Files.deleteIfExists(dir.resolve(HeadFiles.WEIGHTS));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the shipped NSP head " + base + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** SHA-256 (first 16 hex digits) of the pooler bias's float32 little-endian bytes. */
    public static String fingerprint(Parameter poolerBias) {
        float[] v = poolerBias.value().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup().data().asFloat();
        ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bytes.putFloat(f);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array())).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
