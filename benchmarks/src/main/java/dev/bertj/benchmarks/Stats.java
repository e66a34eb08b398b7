package dev.bertj.benchmarks;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of timed runs: medians for the side-by-side tables, percentiles for latency. */
public final class Stats {

    private Stats() {
    }

    /** The median (mean of the two middle values for an even count). */
    public static double median(double[] values) {
        return percentile(values, 50);
    }

    public static double median(Collection<? extends Number> values) {
        return median(values.stream().mapToDouble(Number::doubleValue).toArray());
    }

    /**
     * The {@code p}-th percentile (0..100) with linear interpolation between closest ranks (the "R-7" rule numpy and
     * spreadsheets use by default): rank {@code (n - 1) p / 100} in the sorted values. p50 is the median.
     */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double rank = (s.length - 1) * p / 100.0;
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return s[lo] + (s[hi] - s[lo]) * (rank - lo);
    }

    public static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    public static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
