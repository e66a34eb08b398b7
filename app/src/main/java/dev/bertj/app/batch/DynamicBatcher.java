package dev.bertj.app.batch;

import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.model.EncoderOutput;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The dynamic batcher in front of one encoder. Concurrent callers hand in their sequences and block; one worker
 * thread groups queued sequences, oldest first, into encoder batches bounded by a token budget (sequences x
 * padded length) and a batch size, waiting at most {@code maxWait} after the oldest arrival for company, runs the
 * encoder once per batch and hands every caller its own rows back in its own padded shape.
 *
 * <p>A caller's sequences may be split across batches (a request larger than the budget never makes one
 * oversized batch). The queue is bounded in sequences: a caller that would overflow it is refused at once with a
 * retry estimate. Work whose deadline passed or whose client disconnected is dropped before it runs. The encoder
 * itself uses every core for one batch, so one worker per encoder is the right number.
 */
public final class DynamicBatcher implements AutoCloseable {

    /** The knobs, see {@code bertj.batcher.*}. */
    public record Settings(int maxBatchTokens, int maxBatchSize, Duration maxWait, int queueCapacity,
                           Duration requestTimeout) {
        public Settings {
            if (maxBatchTokens < 1 || maxBatchSize < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("batcher limits must be positive: " + maxBatchTokens + ", "
                        + maxBatchSize + ", " + queueCapacity);
            }
        }
    }

    private final String name;
    private final Function<EncoderInput, EncoderOutput> encoder;
    private final Settings settings;
    private final BatchListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Callers in arrival order; the head may be partly scheduled already. Guarded by {@link #lock}. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Unscheduled sequences in {@link #queue}. Guarded by {@link #lock}, read without it for gauges. */
    private volatile int queuedSequences;
    private volatile int queuedTokens;
    /** Recent throughput in real tokens per second (exponential average), for Retry-After estimates. */
    private volatile double tokensPerSecond = 2000;
    private volatile boolean closed;
    private final Thread worker;

    public DynamicBatcher(String name, Function<EncoderInput, EncoderOutput> encoder, Settings settings,
                          BatchListener listener) {
        this.name = name;
        this.encoder = encoder;
        this.settings = settings;
        this.listener = listener == null ? BatchListener.NONE : listener;
        this.worker = new Thread(this::work, "bertj-batcher-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Encodes {@code input}'s sequences, waiting with the others. The caller's {@link CallContext} (if any) gives
     * the deadline and tells whether the client is gone; without one the default request timeout applies.
     *
     * @throws BatchRejectedException if the queue is full, the deadline passes, the client leaves or the batcher closes
     * @throws IllegalArgumentException if the encoder refuses the input (ids outside the vocabulary, too long)
     */
    public Encoded encode(EncoderInput input) {
        CallContext ctx = CallContext.current();
        long deadline = ctx != null ? ctx.deadlineNanos() : System.nanoTime() + settings.requestTimeout().toNanos();
        Pending p = new Pending(input, deadline, ctx != null ? ctx.clientGone() : () -> false);
        admit(p);
        try {
            long wait = deadline - System.nanoTime();
            return p.result.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            p.abandon();
            throw new BatchRejectedException(BatchRejectedException.Reason.TIMED_OUT,
                    "the encoder did not get to this request before its deadline", retryAfterSeconds());
        } catch (InterruptedException e) {
            p.abandon();
            Thread.currentThread().interrupt();
            throw new BatchRejectedException(BatchRejectedException.Reason.CLIENT_GONE, "interrupted while waiting", 1);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Sequences waiting to be scheduled. */
    public int queueDepth() {
        return queuedSequences;
    }

    public Settings settings() {
        return settings;
    }

    /** A guess of how long the queue takes to drain, in whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(queuedTokens / Math.max(1.0, tokensPerSecond)));
    }

    private void admit(Pending p) {
        lock.lock();
        try {
            if (closed) {
                throw new BatchRejectedException(BatchRejectedException.Reason.CLOSED,
                        "the encoder of model '" + name + "' is unloading", 1);
            }
            // A request bigger than the whole queue is still admitted when the queue is empty, or it could never run.
            if (!queue.isEmpty() && queuedSequences + p.count > settings.queueCapacity()) {
                listener.dropped(BatchRejectedException.Reason.QUEUE_FULL, p.count);
                throw new BatchRejectedException(BatchRejectedException.Reason.QUEUE_FULL,
                        "the encoder queue of model '" + name + "' is full (" + queuedSequences + " of "
                                + settings.queueCapacity() + " sequences waiting)", retryAfterSeconds());
            }
            queue.addLast(p);
            queuedSequences += p.count;
            queuedTokens += p.tokens;
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    // ---- the worker ---------------------------------------------------------------------------------------------

    /** One sequence of one caller, scheduled into a batch. */
    private record Unit(Pending owner, int index) {
    }

    private void work() {
        List<Unit> batch = new ArrayList<>();
        while (true) {
            batch.clear();
            try {
                if (!collect(batch)) {
                    return;
                }
                run(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                // The worker must outlive any failure: fail this batch's callers and carry on.
                for (Unit u : batch) {
                    u.owner.result.completeExceptionally(e);
                }
            }
        }
    }

    /** Waits for work and fills {@code batch}; false when closed. */
    private boolean collect(List<Unit> batch) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                dropAbandoned();
                if (closed) {
                    return false;
                }
                if (queue.isEmpty()) {
                    arrived.await();
                    continue;
                }
                long windowEnd = queue.peekFirst().enqueuedNanos + settings.maxWait().toNanos();
                long left = windowEnd - System.nanoTime();
                if (left > 0 && !enoughForABatch()) {
                    arrived.awaitNanos(left);
                    continue;
                }
                take(batch);
                if (!batch.isEmpty()) {
                    return true;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queued sequences already fill a batch, so waiting longer gains nothing. */
    private boolean enoughForABatch() {
        int n = 0;
        int maxLen = 0;
        for (Pending p : queue) {
            for (int i = p.next; i < p.count; i++) {
                int len = Math.max(maxLen, p.lengths[i]);
                if (n + 1 > settings.maxBatchSize() || (long) (n + 1) * len > settings.maxBatchTokens()) {
                    return true;
                }
                n++;
                maxLen = len;
            }
        }
        return false;
    }

    /** Moves sequences from the queue's head into {@code batch} while they fit the budget. */
    private void take(List<Unit> batch) {
        int maxLen = 0;
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            while (p.next < p.count) {
                int len = Math.max(maxLen, p.lengths[p.next]);
                boolean fits = batch.size() + 1 <= settings.maxBatchSize()
                        && (long) (batch.size() + 1) * len <= settings.maxBatchTokens();
                if (!fits && !batch.isEmpty()) {
                    return;
                }
                batch.add(new Unit(p, p.next));
                queuedSequences--;
                queuedTokens -= p.lengths[p.next];
                p.next++;
                maxLen = len;
            }
            it.remove();
        }
    }

    /** Drops callers that are gone or out of time; their unscheduled sequences never run. */
    private void dropAbandoned() {
        long now = System.nanoTime();
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            BatchRejectedException.Reason why = p.abandonedReason(now);
            if (why != null || closed) {
                it.remove();
                int left = p.count - p.next;
                queuedSequences -= left;
                for (int i = p.next; i < p.count; i++) {
                    queuedTokens -= p.lengths[i];
                }
                p.next = p.count;
                why = why != null ? why : BatchRejectedException.Reason.CLOSED;
                listener.dropped(why, left);
                p.result.completeExceptionally(new BatchRejectedException(why, switch (why) {
                    case CLIENT_GONE -> "the client went away";
                    case TIMED_OUT -> "the request timed out in the encoder queue";
                    default -> "the encoder of model '" + name + "' is unloading";
                }, retryAfterSeconds()));
            }
        }
    }

    /** Runs one batch: re-pads its sequences together, encodes, scatters each row back to its caller. */
    private void run(List<Unit> batch) {
        int n = batch.size();
        int seqLen = 0;
        int realTokens = 0;
        for (Unit u : batch) {
            seqLen = Math.max(seqLen, u.owner.lengths[u.index]);
            realTokens += u.owner.lengths[u.index];
        }
        int[] ids = new int[n * seqLen];
        int[] types = new int[n * seqLen];
        int[] mask = new int[n * seqLen];
        for (int b = 0; b < n; b++) {
            Unit u = batch.get(b);
            EncoderInput in = u.owner.input;
            int src = u.index * in.seqLen();
            int len = u.owner.lengths[u.index];
            System.arraycopy(in.inputIds(), src, ids, b * seqLen, len);
            System.arraycopy(in.tokenTypeIds(), src, types, b * seqLen, len);
            System.arraycopy(in.attentionMask(), src, mask, b * seqLen, len);
        }
        long t0 = System.nanoTime();
        EncoderOutput out;
        try {
            out = encoder.apply(new EncoderInput(n, seqLen, ids, types, mask));
        } catch (RuntimeException | Error e) {
            for (Unit u : batch) {
                u.owner.result.completeExceptionally(e);
            }
            return;
        }
        long nanos = System.nanoTime() - t0;
        tokensPerSecond = 0.8 * tokensPerSecond + 0.2 * (realTokens * 1e9 / Math.max(1, nanos));
        listener.batch(n, n * seqLen, realTokens, nanos);
        int hidden = out.hiddenSize();
        float[] last = out.lastHiddenState();
        for (int b = 0; b < n; b++) {
            Unit u = batch.get(b);
            Pending p = u.owner;
            p.ensureBuffers(hidden, out.hasPooler());
            int len = p.lengths[u.index];
            System.arraycopy(last, b * seqLen * hidden, p.hidden, u.index * p.input.seqLen() * hidden, len * hidden);
            if (p.pooled != null) {
                System.arraycopy(out.pooled(b), 0, p.pooled, u.index * hidden, hidden);
            }
            if (++p.done == p.count) {
                p.result.complete(new Encoded(p.count, p.input.seqLen(), hidden, p.hidden, p.pooled));
            }
        }
    }

    /** Stops taking work; queued callers fail with {@link BatchRejectedException.Reason#CLOSED}. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            dropAbandoned();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One caller's request. Scheduling fields belong to the worker (under the lock). */
    private static final class Pending {
        final EncoderInput input;
        final int count;
        /** Each sequence's length without its trailing padding. */
        final int[] lengths;
        final int tokens;
        final long enqueuedNanos = System.nanoTime();
        final long deadlineNanos;
        final BooleanSupplier clientGone;
        final CompletableFuture<Encoded> result = new CompletableFuture<>();
        volatile boolean abandoned;
        int next;
        int done;
        float[] hidden;
        float[] pooled;

        Pending(EncoderInput input, long deadlineNanos, BooleanSupplier clientGone) {
            this.input = input;
            this.count = input.batch();
            this.deadlineNanos = deadlineNanos;
            this.clientGone = clientGone;
            this.lengths = new int[count];
            int total = 0;
            for (int b = 0; b < count; b++) {
                int len = 0;
                for (int s = 0; s < input.seqLen(); s++) {
                    if (input.attentionMask()[b * input.seqLen() + s] != 0) {
                        len = s + 1;
                    }
                }
                // An all-padding row still goes through so that the encoder reports it as the caller's error.
                lengths[b] = Math.max(1, len);
                total += lengths[b];
            }
            this.tokens = total;
        }

        void abandon() {
            abandoned = true;
        }

        BatchRejectedException.Reason abandonedReason(long now) {
            if (abandoned) {
                return BatchRejectedException.Reason.TIMED_OUT;
            }
            if (now - deadlineNanos > 0) {
                return BatchRejectedException.Reason.TIMED_OUT;
            }
            boolean gone;
            try {
                gone = clientGone.getAsBoolean();
            } catch (RuntimeException e) {
                gone = false; // cannot tell: keep the work rather than drop a live client's request
            }
            return gone ? BatchRejectedException.Reason.CLIENT_GONE : null;
        }

        void ensureBuffers(int hidden, boolean withPooler) {
            if (this.hidden == null) {
                this.hidden = new float[count * input.seqLen() * hidden];
                this.pooled = withPooler ? new float[count * hidden] : null;
            }
        }
    }
}
