package dev.bertj.core.nn;

import java.util.Locale;

/**
 * The feed-forward non-linearity named by {@code hidden_act}. BERT uses the exact GELU, {@code x Phi(x)} with the
 * Gaussian CDF written through erf ({@link Erf}); {@code gelu_new}/{@code gelu_pytorch_tanh} are the tanh
 * approximation some checkpoints were trained with. Scalars are computed in double and rounded once.
 */
public enum Activation {
    GELU, GELU_TANH, RELU;

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    private static final double SQRT_2_OVER_PI = 0.7978845608028654;

    public static Activation of(String hiddenAct) {
        return switch (hiddenAct.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
            case "relu" -> RELU;
            default -> throw new IllegalArgumentException("unsupported hidden_act '" + hiddenAct + "'");
        };
    }

    public float apply(float u) {
        return switch (this) {
            case GELU -> gelu(u);
            case GELU_TANH -> geluTanh(u);
            case RELU -> u > 0 ? u : 0f;
        };
    }

    /** d apply(u) / du. */
    public float derivative(float u) {
        return switch (this) {
            case GELU -> geluDerivative(u);
            case GELU_TANH -> geluTanhDerivative(u);
            case RELU -> u > 0 ? 1f : 0f;
        };
    }

    /**
     * {@code out[i] = apply(x[i])} and {@code derivative[i] = derivative(x[i])} for {@code i < n}: what a training
     * forward pass keeps so that the backward pass only multiplies. {@code out} may be {@code x}; the exact GELU
     * shares one erf-table lookup between the two.
     */
    public void applyWithDerivative(float[] x, float[] out, float[] derivative, int n) {
        if (this == GELU) {
            if (Kernels.VECTOR) {
                VectorKernels.geluWithDerivative(x, out, derivative, n);
            } else {
                Erf.geluWithDerivative(x, out, derivative, n);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float u = x[i];
            derivative[i] = derivative(u);
            out[i] = apply(u);
        }
    }

    public static float gelu(float u) {
        double x = u;
        return (float) (0.5 * x * (1.0 + Erf.erf(x * INV_SQRT2)));
    }

    /** Phi(u) + u phi(u). */
    public static float geluDerivative(float u) {
        double x = u;
        double t = x * INV_SQRT2;
        return (float) (0.5 * (1.0 + Erf.erf(t)) + x * INV_SQRT_2PI * Erf.gaussian(t));
    }

    public static float geluTanh(float u) {
        double x = u;
        return (float) (0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))));
    }

    public static float geluTanhDerivative(float u) {
        double x = u;
        double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
        return (float) (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x));
    }
}
