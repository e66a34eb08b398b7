package dev.bertj.core.nn;

/**
 * Per-thread {@code float[]} rows for the kernels: a row of native memory is copied in with one bulk get, worked on
 * as an array (which the JIT and the Vector API handle best) and copied back. Slots are reused for the life of
 * the thread, so the steady state allocates nothing.
 */
public final class Scratch {

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    private final float[][] slots = new float[8][];

    private Scratch() {
    }

    public static Scratch get() {
        return PER_THREAD.get();
    }

    /** Slot {@code slot} (0..7), at least {@code n} long; its contents are whatever was left there. */
    public float[] row(int slot, int n) {
        float[] a = slots[slot];
        if (a == null || a.length < n) {
            a = new float[Math.max(n, 16)];
            slots[slot] = a;
        }
        return a;
    }
}
