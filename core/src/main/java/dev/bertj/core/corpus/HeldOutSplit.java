package dev.bertj.core.corpus;

/**
 * Chooses held-out documents deterministically and evenly: document {@code i} (counted from 0 in reading order)
 * is held out when {@code floor((i + 1) * fraction) > floor(i * fraction)}. So exactly {@code floor(n * fraction)}
 * of the first n documents are held out, spread evenly over the corpus (fraction 0.05 holds out documents 19, 39,
 * 59, ...), and every book or novel contributes to both sides. Whole documents only, so no held-out sentence has
 * a training neighbour.
 */
public final class HeldOutSplit {

    private final double fraction;

    public HeldOutSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
        }
        this.fraction = fraction;
    }

    public boolean isHeldOut(long documentIndex) {
        return Math.floor((documentIndex + 1) * fraction) > Math.floor(documentIndex * fraction);
    }
}
