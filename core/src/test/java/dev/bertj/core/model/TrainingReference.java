package dev.bertj.core.model;

import dev.bertj.core.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A naive double-precision BERT for gradient checks: the pre-training graph (embeddings, encoder, pooler,
 * masked-LM head, next-sentence head) written straight from modeling_bert.py, one sequence at a time, with
 * dropout as explicit masks handed in from outside (so a check can replay the engine's masks). Parameters live
 * in {@link #params}, keyed by name, and tests perturb them in place for finite differences.
 */
public final class TrainingReference {

    /** Dropout masks (already scaled by 1/(1-p)); return 1 for no dropout. */
    public interface Masks {
        double embedding(int b, int s, int j);

        double probs(int layer, int b, int head, int i, int j);

        double attentionOutput(int layer, int b, int s, int j);

        double output(int layer, int b, int s, int j);
    }

    public static final Masks NO_DROPOUT = new Masks() {
        public double embedding(int b, int s, int j) {
            return 1;
        }

        public double probs(int layer, int b, int head, int i, int j) {
            return 1;
        }

        public double attentionOutput(int layer, int b, int s, int j) {
            return 1;
        }

        public double output(int layer, int b, int s, int j) {
            return 1;
        }
    };

    /** What one forward pass gives: hidden states [B][S][H] and pooled outputs [B][H]. */
    public record Outputs(double[][][] sequence, double[][] pooled) {
    }

    public final Map<String, double[]> params = new LinkedHashMap<>();
    private final BertConfig c;
    private final int h;
    private final String prefix;

    /** Copies {@code parameters} (names with {@code prefix} before the encoder's own names, e.g. "bert."). */
    public TrainingReference(BertConfig config, List<Parameter> parameters, String prefix) {
        this.c = config;
        this.h = config.hiddenSize();
        this.prefix = prefix;
        for (Parameter p : parameters) {
            float[] f = p.value().dup().data().asFloat();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            params.put(p.name(), d);
        }
    }

    private double[] p(String name) {
        double[] v = params.get(name.startsWith("cls.") ? name : prefix + name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return v;
    }

    public Outputs forward(int batch, int seqLen, int[] ids, int[] types, int[] mask, Masks m) {
        double[][][] seq = new double[batch][][];
        double[][] pooled = new double[batch][];
        for (int b = 0; b < batch; b++) {
            seq[b] = sequence(b, seqLen, ids, types, mask, m);
            if (params.containsKey(prefix + "pooler.dense.weight")) {
                pooled[b] = linear(seq[b][0], "pooler.dense");
                for (int j = 0; j < h; j++) {
                    pooled[b][j] = Math.tanh(pooled[b][j]);
                }
            }
        }
        return new Outputs(seq, pooled);
    }

    private double[][] sequence(int b, int n, int[] allIds, int[] allTypes, int[] allMask, Masks m) {
        int[] mask = new int[n];
        System.arraycopy(allMask, b * n, mask, 0, n);
        double[] word = p("embeddings.word_embeddings.weight");
        double[] pos = p("embeddings.position_embeddings.weight");
        double[] type = p("embeddings.token_type_embeddings.weight");
        double[][] x = new double[n][h];
        for (int s = 0; s < n; s++) {
            int id = allIds[b * n + s];
            int t = allTypes[b * n + s];
            for (int j = 0; j < h; j++) {
                x[s][j] = word[id * h + j] + pos[s * h + j] + type[t * h + j];
            }
            x[s] = layerNorm(x[s], "embeddings.LayerNorm");
            for (int j = 0; j < h; j++) {
                x[s][j] *= m.embedding(b, s, j);
            }
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            x = layer(l, b, x, mask, m);
        }
        return x;
    }

    private double[][] layer(int l, int b, double[][] x, int[] mask, Masks m) {
        String pre = "encoder.layer." + l + ".";
        int n = x.length;
        int heads = c.numAttentionHeads();
        int dh = h / heads;
        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int s = 0; s < n; s++) {
            q[s] = linear(x[s], pre + "attention.self.query");
            k[s] = linear(x[s], pre + "attention.self.key");
            v[s] = linear(x[s], pre + "attention.self.value");
        }
        double[][] ctx = new double[n][h];
        double[] score = new double[n];
        for (int hd = 0; hd < heads; hd++) {
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < dh; d++) {
                        dot += q[i][hd * dh + d] * k[j][hd * dh + d];
                    }
                    score[j] = mask[j] == 1 ? dot / Math.sqrt(dh) : Double.NEGATIVE_INFINITY;
                    max = Math.max(max, score[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    score[j] = Math.exp(score[j] - max);
                    sum += score[j];
                }
                for (int j = 0; j < n; j++) {
                    if (mask[j] == 0) {
                        continue;
                    }
                    double prob = score[j] / sum * m.probs(l, b, hd, i, j);
                    for (int d = 0; d < dh; d++) {
                        ctx[i][hd * dh + d] += prob * v[j][hd * dh + d];
                    }
                }
            }
        }
        double[][] out = new double[n][];
        for (int s = 0; s < n; s++) {
            double[] a = linear(ctx[s], pre + "attention.output.dense");
            for (int j = 0; j < h; j++) {
                a[j] = a[j] * m.attentionOutput(l, b, s, j) + x[s][j];
            }
            a = layerNorm(a, pre + "attention.output.LayerNorm");
            double[] inter = linear(a, pre + "intermediate.dense");
            for (int j = 0; j < inter.length; j++) {
                inter[j] = ReferenceBert.gelu(inter[j]);
            }
            double[] o = linear(inter, pre + "output.dense");
            for (int j = 0; j < h; j++) {
                o[j] = o[j] * m.output(l, b, s, j) + a[j];
            }
            out[s] = layerNorm(o, pre + "output.LayerNorm");
        }
        return out;
    }

    /** The masked-LM head's scores over the vocabulary for one hidden state. */
    public double[] mlmLogits(double[] hidden) {
        double[] t = linear(hidden, "cls.predictions.transform.dense");
        for (int j = 0; j < t.length; j++) {
            t[j] = ReferenceBert.gelu(t[j]);
        }
        t = layerNorm(t, "cls.predictions.transform.LayerNorm");
        double[] e = p("embeddings.word_embeddings.weight");
        double[] bias = p("cls.predictions.bias");
        double[] logits = new double[c.vocabSize()];
        for (int w = 0; w < logits.length; w++) {
            double dot = bias[w];
            for (int j = 0; j < h; j++) {
                dot += e[w * h + j] * t[j];
            }
            logits[w] = dot;
        }
        return logits;
    }

    /** The next-sentence head's two scores (0 = IsNext) for one pooled output. */
    public double[] nspLogits(double[] pooled) {
        return linear(pooled, "cls.seq_relationship");
    }

    /** -log softmax(logits)[label]. */
    public static double crossEntropy(double[] logits, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (double z : logits) {
            sum += Math.exp(z - max);
        }
        return Math.log(sum) + max - logits[label];
    }

    private double[] linear(double[] x, String name) {
        double[] w = p(name + ".weight");
        double[] b = p(name + ".bias");
        double[] y = new double[b.length];
        for (int o = 0; o < y.length; o++) {
            double s = b[o];
            int row = o * x.length;
            for (int i = 0; i < x.length; i++) {
                s += w[row + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] layerNorm(double[] x, String name) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double[] g = p(name + ".weight");
        double[] b = p(name + ".bias");
        double[] y = new double[x.length];
        double rs = 1 / Math.sqrt(var + c.layerNormEps());
        for (int j = 0; j < x.length; j++) {
            y[j] = (x[j] - mean) * rs * g[j] + b[j];
        }
        return y;
    }
}
