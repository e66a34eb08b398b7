package dev.bertj.core.model;

import dev.bertj.core.nn.Parameter;

import java.util.HashMap;
import java.util.Map;

/**
 * A deliberately naive double-precision BERT forward pass, written straight from the paper and Hugging Face's
 * modeling_bert.py (one sequence at a time, no fusion, no BLAS), to check the engine against.
 */
final class ReferenceBert {

    private final BertConfig c;
    private final Map<String, double[]> p = new HashMap<>();
    private final int h;

    ReferenceBert(BertModel model) {
        c = model.config();
        h = c.hiddenSize();
        for (Parameter param : model.parameters()) {
            float[] f = param.value().dup().data().asFloat();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            p.put(param.name(), d);
        }
    }

    /** Last hidden state [len][H] of one sequence; {@code mask[j] == 0} keys are not attended. */
    double[][] lastHidden(int[] ids, int[] types, int[] mask) {
        int n = ids.length;
        double[][] x = new double[n][h];
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < h; j++) {
                x[s][j] = p.get("embeddings.word_embeddings.weight")[ids[s] * h + j]
                        + p.get("embeddings.position_embeddings.weight")[s * h + j]
                        + p.get("embeddings.token_type_embeddings.weight")[types[s] * h + j];
            }
            x[s] = layerNorm(x[s], "embeddings.LayerNorm");
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            x = layer(x, mask, "encoder.layer." + l + ".");
        }
        return x;
    }

    private double[][] layer(double[][] x, int[] mask, String pre) {
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
        for (int hd = 0; hd < heads; hd++) {
            for (int i = 0; i < n; i++) {
                double[] score = new double[n];
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
                    for (int d = 0; d < dh; d++) {
                        ctx[i][hd * dh + d] += score[j] / sum * v[j][hd * dh + d];
                    }
                }
            }
        }
        double[][] out = new double[n][];
        for (int s = 0; s < n; s++) {
            double[] a = linear(ctx[s], pre + "attention.output.dense");
            for (int j = 0; j < h; j++) {
                a[j] += x[s][j];
            }
            a = layerNorm(a, pre + "attention.output.LayerNorm");
            double[] inter = linear(a, pre + "intermediate.dense");
            for (int j = 0; j < inter.length; j++) {
                inter[j] = gelu(inter[j]);
            }
            double[] o = linear(inter, pre + "output.dense");
            for (int j = 0; j < h; j++) {
                o[j] += a[j];
            }
            out[s] = layerNorm(o, pre + "output.LayerNorm");
        }
        return out;
    }

    double[] pooled(double[] cls) {
        double[] y = linear(cls, "pooler.dense");
        for (int j = 0; j < y.length; j++) {
            y[j] = Math.tanh(y[j]);
        }
        return y;
    }

    double[] mlmLogits(double[] hidden) {
        double[] t = linear(hidden, "cls.predictions.transform.dense");
        for (int j = 0; j < t.length; j++) {
            t[j] = gelu(t[j]);
        }
        t = layerNorm(t, "cls.predictions.transform.LayerNorm");
        double[] e = p.get("embeddings.word_embeddings.weight");
        double[] bias = p.get("cls.predictions.bias");
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

    private double[] linear(double[] x, String name) {
        double[] w = p.get(name + ".weight");
        double[] b = p.get(name + ".bias");
        double[] y = new double[b.length];
        for (int o = 0; o < y.length; o++) {
            double s = b[o];
            for (int i = 0; i < x.length; i++) {
                s += w[o * x.length + i] * x[i];
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
        double[] g = p.get(name + ".weight");
        double[] b = p.get(name + ".bias");
        double[] y = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = (x[j] - mean) / Math.sqrt(var + c.layerNormEps()) * g[j] + b[j];
        }
        return y;
    }

    /** GELU through an independent erf: the Abramowitz-Stegun-free series/continued fraction in {@link #erf}. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf by its Maclaurin series (|x| < 3) or the continued fraction of erfc (|x| >= 3), both to ~1e-15. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
                if (Math.abs(term) < 1e-18) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return Math.copySign(r, x);
    }
}
