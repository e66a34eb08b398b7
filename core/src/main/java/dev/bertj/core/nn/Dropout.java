package dev.bertj.core.nn;

import java.nio.FloatBuffer;

/**
 * Inverted dropout masks for the encoder's fused loops: each element is 0 with probability p and 1/(1-p)
 * otherwise, so the expected activation is unchanged and inference needs no rescaling.
 *
 * <p>Element {@code i} of dropout site {@code site} is a pure function of {@code (key, site, i)} (a SplitMix64
 * hash, counter-based like Philox in cuRAND), not of the order in which elements are drawn: threads can fill
 * any rows in any split and the mask is the same, so training is deterministic per seed whatever the core count.
 * The training forward draws one {@code key} per pass from the task's {@link Rng}, so the whole dropout state
 * of a run is that generator's state.
 */
public final class Dropout {

    private static final long SITE_MIX = 0xd1b54a32d192ed03L;
    static final long GOLDEN = 0x9e3779b97f4a7c15L;
    /** Values per bulk write of {@link #fillRange}. */
    private static final int CHUNK = 1024;
    private static final ThreadLocal<float[]> STAGING = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private Dropout() {
    }

    /** The scale kept elements get: {@code 1 / (1 - p)}. */
    public static float keepScale(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        return (float) (1.0 / (1.0 - p));
    }

    /** The per-site seed that {@link #keep} combines with an element index. */
    public static long siteKey(long key, int site) {
        return Rng.splitMix64(key ^ ((site + 1L) * SITE_MIX));
    }

    /** The mask value of element {@code index} at a site whose {@link #siteKey} is {@code siteKey}. */
    public static float keep(long siteKey, long index, float p, float scale) {
        long bits = Rng.splitMix64(siteKey + (index + 1) * GOLDEN);
        float u = (bits >>> 40) * 0x1.0p-24f;
        return u < p ? 0f : scale;
    }

    /** Writes the mask of elements {@code [from, to)} of a site into {@code keep} at the same indices. */
    public static void fill(FloatBuffer keep, double p, long key, int site, int from, int to) {
        fillRange(keep, siteKey(key, site), from, from, to - from, (float) p, keepScale(p));
    }

    /**
     * {@code keep[offset + j] = keep(siteKey, firstIndex + j, p, scale)} for {@code j < n}: in 64-bit SIMD lanes when
     * the vector module is present (the hash was ~5% of a BERT-base training step when drawn one value at a time).
     */
    public static void fillRange(FloatBuffer keep, long siteKey, long firstIndex, int offset, int n, float p, float scale) {
        if (!Kernels.VECTOR) {
            for (int j = 0; j < n; j++) {
                keep.put(offset + j, keep(siteKey, firstIndex + j, p, scale));
            }
            return;
        }
        float[] staging = STAGING.get();
        long threshold = (long) Math.ceil(p * 0x1p24);
        for (int done = 0; done < n; done += CHUNK) {
            int m = Math.min(CHUNK, n - done);
            VectorKernels.dropoutMask(siteKey, firstIndex + done, p, threshold, scale, staging, m);
            keep.put(offset + done, staging, 0, m);
        }
    }
}
