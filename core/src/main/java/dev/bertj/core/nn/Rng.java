package dev.bertj.core.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The project's random number generator: xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64.
 *
 * <p>Why not {@link java.util.Random} or {@link java.util.SplittableRandom}: training must be exactly repeatable
 * across a crash and a resume, so the whole generator state has to be saved into a checkpoint and restored
 * bit for bit. This class keeps its state in four explicit longs ({@link #state()}, {@link #saveState()},
 * {@link #restore(String)}), and its output is defined by the published reference algorithm, not by a JDK version.
 *
 * <p>Independent streams (one per dropout site, per data worker, per thread) come from {@link #split()}, which
 * hands out a copy of the current state and moves this generator 2^128 steps ahead ({@link #jump()}), so the
 * streams never overlap. Instances are not thread-safe: give each thread its own stream.
 */
public final class Rng {

    /** Identifies the algorithm in saved states, so a state from another generator is refused. */
    private static final String STATE_PREFIX = "xoshiro256**:";

    private static final long[] JUMP = {
        0x180ec6d33cfd0abaL, 0xd5a61266f0c9392cL, 0xa9582618e03fc9aaL, 0x39abdc4529b1661cL};
    private static final long[] LONG_JUMP = {
        0x76e15d3efefdcbbfL, 0xc5004e441c522fb3L, 0x77710069854ee241L, 0x39109bb02acbe635L};

    private long s0;
    private long s1;
    private long s2;
    private long s3;

    /** A generator whose 256-bit state is four consecutive SplitMix64 outputs from {@code seed} (the authors' advice). */
    public Rng(long seed) {
        long x = seed;
        x += 0x9e3779b97f4a7c15L;
        s0 = splitMix64(x);
        x += 0x9e3779b97f4a7c15L;
        s1 = splitMix64(x);
        x += 0x9e3779b97f4a7c15L;
        s2 = splitMix64(x);
        x += 0x9e3779b97f4a7c15L;
        s3 = splitMix64(x);
    }

    private Rng(long s0, long s1, long s2, long s3) {
        if ((s0 | s1 | s2 | s3) == 0) {
            throw new IllegalArgumentException("xoshiro256** state must not be all zero");
        }
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
    }

    /** A generator with exactly this state (four longs, not all zero), e.g. from {@link #state()}. */
    public static Rng ofState(long[] state) {
        if (state == null || state.length != 4) {
            throw new IllegalArgumentException("xoshiro256** state must be 4 longs, got "
                    + (state == null ? "null" : state.length));
        }
        return new Rng(state[0], state[1], state[2], state[3]);
    }

    /**
     * A generator for stream {@code stream} of {@code seed}: a named, reproducible sub-stream (e.g. stream 1 for
     * dropout, 2 for data) that does not depend on how much any other stream has been used. Streams of one seed
     * are spaced 2^192 steps apart ({@link #longJump()}), so they never overlap.
     */
    public static Rng forStream(long seed, int stream) {
        if (stream < 0) {
            throw new IllegalArgumentException("stream must be >= 0, got " + stream);
        }
        Rng rng = new Rng(seed);
        for (int i = 0; i < stream; i++) {
            rng.longJump();
        }
        return rng;
    }

    /** SplitMix64's output function (Steele, Lea and Flood, 2014) applied to an already advanced counter. */
    static final long SPLITMIX_A = 0xbf58476d1ce4e5b9L;
    static final long SPLITMIX_B = 0x94d049bb133111ebL;

    static long splitMix64(long z) {
        z = (z ^ (z >>> 30)) * SPLITMIX_A;
        z = (z ^ (z >>> 27)) * SPLITMIX_B;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** The next 32 random bits (the high half of {@link #nextLong()}: xoshiro's low bits are the weaker ones). */
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /**
     * A uniform int in [0, bound), without modulo bias (Lemire's multiply-and-reject method, 2019).
     *
     * @throws IllegalArgumentException if bound <= 0
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long product = (nextLong() >>> 32) * bound;
        long low = product & 0xffffffffL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                product = (nextLong() >>> 32) * bound;
                low = product & 0xffffffffL;
            }
        }
        return (int) (product >>> 32);
    }

    /** A uniform int in [origin, bound). */
    public int nextInt(int origin, int bound) {
        if (origin >= bound) {
            throw new IllegalArgumentException("origin " + origin + " must be below bound " + bound);
        }
        long range = (long) bound - origin;
        if (range <= Integer.MAX_VALUE) {
            return origin + nextInt((int) range);
        }
        // A range wider than int: reject the few draws outside it.
        long r;
        do {
            r = nextLong() >>> 32;
        } while (r >= range);
        return (int) (origin + r);
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** A uniform float in [0, 1) with 24 random bits (every representable multiple of 2^-24). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A standard normal sample by the Box-Muller transform, one value per call: no cached second value, so the
     * four longs of {@link #state()} are the whole state.
     */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log never sees 0
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Shuffles in place (Fisher-Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Shuffles in place (Fisher-Yates); the list must support {@code set}. */
    public <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            list.set(i, list.set(j, list.get(i)));
        }
    }

    /** Advances this generator by 2^128 steps. */
    public void jump() {
        jump(JUMP);
    }

    /** Advances this generator by 2^192 steps. */
    public void longJump() {
        jump(LONG_JUMP);
    }

    private void jump(long[] polynomial) {
        long a0 = 0;
        long a1 = 0;
        long a2 = 0;
        long a3 = 0;
        for (long word : polynomial) {
            for (int b = 0; b < 64; b++) {
                if ((word & (1L << b)) != 0) {
                    a0 ^= s0;
                    a1 ^= s1;
                    a2 ^= s2;
                    a3 ^= s3;
                }
                nextLong();
            }
        }
        s0 = a0;
        s1 = a1;
        s2 = a2;
        s3 = a3;
    }

    /**
     * An independent stream: a generator starting at this one's current state, while this one jumps 2^128 steps
     * ahead. Neither will meet the other's outputs within 2^128 draws.
     */
    public Rng split() {
        Rng child = new Rng(s0, s1, s2, s3);
        jump();
        return child;
    }

    /** A generator with the same state (same future outputs), independent from now on. */
    public Rng copy() {
        return new Rng(s0, s1, s2, s3);
    }

    /** The state as four longs (a copy). */
    public long[] state() {
        return new long[] {s0, s1, s2, s3};
    }

    /** Sets the state (e.g. from a checkpoint), so the next outputs repeat those that followed the saved state. */
    public void setState(long[] state) {
        Rng r = ofState(state);
        s0 = r.s0;
        s1 = r.s1;
        s2 = r.s2;
        s3 = r.s3;
    }

    /** The state as text for JSON files: {@code xoshiro256**:} followed by four 16-digit hex words. */
    public String saveState() {
        return String.format(Locale.ROOT, "%s%016x%016x%016x%016x", STATE_PREFIX, s0, s1, s2, s3);
    }

    /**
     * A generator from {@link #saveState()} text.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Rng restore(String saved) {
        if (saved == null || !saved.startsWith(STATE_PREFIX) || saved.length() != STATE_PREFIX.length() + 64) {
            throw new IllegalArgumentException("not a saved xoshiro256** state (expected '" + STATE_PREFIX
                    + "' and 64 hex digits): " + saved);
        }
        long[] s = new long[4];
        for (int i = 0; i < 4; i++) {
            int from = STATE_PREFIX.length() + 16 * i;
            try {
                s[i] = Long.parseUnsignedLong(saved.substring(from, from + 16), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a saved xoshiro256** state (bad hex digits): " + saved, e);
            }
        }
        return ofState(s);
    }

    /** Restores this generator in place from {@link #saveState()} text. */
    public void restoreState(String saved) {
        setState(restore(saved).state());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rng r && r.s0 == s0 && r.s1 == s1 && r.s2 == s2 && r.s3 == s3;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(state());
    }

    @Override
    public String toString() {
        return saveState();
    }
}
