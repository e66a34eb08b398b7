package dev.bertj.core.io;

import dev.bertj.core.model.BertConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's names and shapes for BERT's tensors, the one naming every part of bertj uses.
 *
 * <p>Canonical names are {@code BertModel}'s ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.N.attention.self.query.weight} [out, in], ..., {@code pooler.dense.weight}) plus the
 * pre-training heads' ({@code cls.predictions.*}, {@code cls.seq_relationship.*}). Stored files may prefix the
 * encoder with {@code bert.} ({@code BertForPreTraining} and the task models) and older checkpoints call LayerNorm's
 * parameters {@code gamma}/{@code beta}; {@link #canonical} undoes both, {@link #stored} writes the prefixed form.
 */
public final class BertTensorNames {

    /** The prefix {@code BertForPreTraining} and HF's task models put before the encoder's names. */
    public static final String ENCODER_PREFIX = "bert.";

    private BertTensorNames() {
    }

    /** Embeddings and encoder layers: what every BERT checkpoint must have. */
    public static List<TensorInfo> encoder(BertConfig c) {
        long h = c.hiddenSize();
        long ff = c.intermediateSize();
        List<TensorInfo> t = new ArrayList<>();
        t.add(info("embeddings.word_embeddings.weight", c.vocabSize(), h));
        t.add(info("embeddings.position_embeddings.weight", c.maxPositionEmbeddings(), h));
        t.add(info("embeddings.token_type_embeddings.weight", c.typeVocabSize(), h));
        t.add(info("embeddings.LayerNorm.weight", h));
        t.add(info("embeddings.LayerNorm.bias", h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                t.add(info(p + "attention.self." + qkv + ".weight", h, h));
                t.add(info(p + "attention.self." + qkv + ".bias", h));
            }
            t.add(info(p + "attention.output.dense.weight", h, h));
            t.add(info(p + "attention.output.dense.bias", h));
            t.add(info(p + "attention.output.LayerNorm.weight", h));
            t.add(info(p + "attention.output.LayerNorm.bias", h));
            t.add(info(p + "intermediate.dense.weight", ff, h));
            t.add(info(p + "intermediate.dense.bias", ff));
            t.add(info(p + "output.dense.weight", h, ff));
            t.add(info(p + "output.dense.bias", h));
            t.add(info(p + "output.LayerNorm.weight", h));
            t.add(info(p + "output.LayerNorm.bias", h));
        }
        return t;
    }

    /** The tanh pooler over [CLS]; absent from some exports (e.g. sentence-transformers' ONNX files). */
    public static List<TensorInfo> pooler(BertConfig c) {
        long h = c.hiddenSize();
        return List.of(info("pooler.dense.weight", h, h), info("pooler.dense.bias", h));
    }

    /**
     * The masked-LM head ({@code BertLMPredictionHead}). Its decoder weight is tied to the word embeddings, so it is
     * not stored; {@code cls.predictions.bias} is the decoder's bias.
     */
    public static List<TensorInfo> mlmHead(BertConfig c) {
        long h = c.hiddenSize();
        return List.of(
                info("cls.predictions.transform.dense.weight", h, h),
                info("cls.predictions.transform.dense.bias", h),
                info("cls.predictions.transform.LayerNorm.weight", h),
                info("cls.predictions.transform.LayerNorm.bias", h),
                info("cls.predictions.bias", c.vocabSize()));
    }

    /** The next-sentence head ({@code BertOnlyNSPHead}): weight [2, hidden]. */
    public static List<TensorInfo> nspHead(BertConfig c) {
        long h = c.hiddenSize();
        return List.of(info("cls.seq_relationship.weight", 2, h), info("cls.seq_relationship.bias", 2));
    }

    /** Every tensor the architecture can have, canonical name to expected shape, in canonical order. */
    public static Map<String, TensorInfo> all(BertConfig c) {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (List<TensorInfo> part : List.of(encoder(c), pooler(c), mlmHead(c), nspHead(c))) {
            for (TensorInfo t : part) {
                m.put(t.name(), t);
            }
        }
        return m;
    }

    /** The canonical form of a stored name: no {@code bert.} prefix, LayerNorm {@code gamma/beta} as weight/bias. */
    public static String canonical(String stored) {
        String n = stored.startsWith(ENCODER_PREFIX) ? stored.substring(ENCODER_PREFIX.length()) : stored;
        if (n.contains("LayerNorm.")) {
            if (n.endsWith(".gamma")) {
                n = n.substring(0, n.length() - ".gamma".length()) + ".weight";
            } else if (n.endsWith(".beta")) {
                n = n.substring(0, n.length() - ".beta".length()) + ".bias";
            }
        }
        return n;
    }

    /** The name bertj stores: {@code BertForPreTraining}'s layout ({@code bert.} before the encoder's names). */
    public static String stored(String canonical) {
        return canonical.startsWith("cls.") ? canonical : ENCODER_PREFIX + canonical;
    }

    /**
     * A view of {@code store} under canonical names (the store is closed with the view).
     *
     * @throws CheckpointException if two stored names map to one canonical name
     */
    public static TensorStore canonicalView(TensorStore store) {
        DerivedTensorStore view = new DerivedTensorStore(store.source(), store);
        for (String name : store.names()) {
            view.rename(canonical(name), store, name);
        }
        return view;
    }

    private static TensorInfo info(String name, long... shape) {
        return new TensorInfo(name, DType.F32, shape);
    }
}
