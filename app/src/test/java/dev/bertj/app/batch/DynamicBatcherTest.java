package dev.bertj.app.batch;

import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.model.EncoderOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batcher on a small real encoder (random weights): grouping, splitting, shapes, equality, refusals. */
class DynamicBatcherTest {

    static BertModel model;

    @BeforeAll
    static void model() {
        model = BertModel.initialize(BertConfig.of(100, 32, 2, 4, 64), 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static EncoderInput randomInput(Random r, int batch, int maxLen) {
        List<int[]> seqs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] s = new int[1 + r.nextInt(maxLen)];
            for (int i = 0; i < s.length; i++) {
                s[i] = 1 + r.nextInt(99);
            }
            seqs.add(s);
        }
        return EncoderInput.of(seqs, null);
    }

    static DynamicBatcher.Settings settings(int tokens, int size, int waitMs, int queue) {
        return new DynamicBatcher.Settings(tokens, size, Duration.ofMillis(waitMs), queue, Duration.ofSeconds(20));
    }

    @Test
    void concurrentCallersGetTheirOwnRowsAsIfAlone() throws Exception {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        BatchListener sizes = (s, p, rt, n) -> batchSizes.add(s);
        try (DynamicBatcher batcher = new DynamicBatcher("t", model::forward, settings(4096, 64, 20, 512), sizes)) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            Random r = new Random(1);
            List<EncoderInput> inputs = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                inputs.add(randomInput(r, 1 + r.nextInt(3), 20));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Encoded>> results = new ArrayList<>();
            for (EncoderInput in : inputs) {
                results.add(pool.submit(() -> {
                    go.await();
                    return batcher.encode(in);
                }));
            }
            go.countDown();
            for (int i = 0; i < inputs.size(); i++) {
                EncoderInput in = inputs.get(i);
                Encoded got = results.get(i).get(30, TimeUnit.SECONDS);
                EncoderOutput alone = model.forward(in);
                assertThat(got.batch()).isEqualTo(in.batch());
                assertThat(got.seqLen()).isEqualTo(in.seqLen());
                for (int b = 0; b < in.batch(); b++) {
                    for (int s = 0; s < in.seqLen(); s++) {
                        if (in.attentionMask()[b * in.seqLen() + s] == 1) {
                            float[] want = alone.token(b, s);
                            for (int j = 0; j < want.length; j++) {
                                assertThat(got.lastHiddenState()[(b * in.seqLen() + s) * got.hidden() + j])
                                        .isCloseTo(want[j], org.assertj.core.data.Offset.offset(1e-4f));
                            }
                        }
                    }
                    float[] pooled = alone.pooled(b);
                    for (int j = 0; j < pooled.length; j++) {
                        assertThat(got.pooled()[b * got.hidden() + j])
                                .isCloseTo(pooled[j], org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
            pool.shutdown();
            // Concurrent callers were grouped: fewer encoder batches than requests.
            assertThat(batchSizes.size()).isLessThan(inputs.size());
            assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
        }
    }

    @Test
    void aRequestLargerThanTheBudgetIsSplitAcrossBatches() {
        List<int[]> batches = new CopyOnWriteArrayList<>();
        BatchListener seen = (s, p, rt, n) -> batches.add(new int[] {s, p});
        try (DynamicBatcher batcher = new DynamicBatcher("t", model::forward, settings(40, 64, 0, 512), seen)) {
            EncoderInput in = randomInput(new Random(3), 12, 10);
            Encoded got = batcher.encode(in);
            assertThat(got.batch()).isEqualTo(12);
            assertThat(batches.size()).isGreaterThan(1);
            for (int[] b : batches) {
                assertThat(b[1]).isLessThanOrEqualTo(40);
            }
            EncoderOutput alone = model.forward(in);
            assertThat(got.pooled()[11 * got.hidden()]).isCloseTo(alone.pooled(11)[0],
                    org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWithARetryEstimate() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Function<EncoderInput, EncoderOutput> slow = in -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return model.forward(in);
        };
        try (DynamicBatcher batcher = new DynamicBatcher("t", slow, settings(64, 1, 0, 2), null)) {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Random r = new Random(5);
            Future<Encoded> first = pool.submit(() -> batcher.encode(randomInput(r, 1, 4)));
            running.await(10, TimeUnit.SECONDS);
            Future<Encoded> second = pool.submit(() -> batcher.encode(randomInput(new Random(6), 2, 4)));
            while (batcher.queueDepth() < 2) {
                Thread.sleep(5);
            }
            assertThatThrownBy(() -> batcher.encode(randomInput(new Random(7), 1, 4)))
                    .isInstanceOfSatisfying(BatchRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BatchRejectedException.Reason.QUEUE_FULL);
                        assertThat(e.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
                    });
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).batch()).isEqualTo(1);
            assertThat(second.get(10, TimeUnit.SECONDS).batch()).isEqualTo(2);
            pool.shutdown();
        }
    }

    @Test
    void workOfAClientThatLeftOrTimedOutIsDropped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        Function<EncoderInput, EncoderOutput> gated = in -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add(in.batch());
            return model.forward(in);
        };
        List<BatchRejectedException.Reason> dropped = new CopyOnWriteArrayList<>();
        BatchListener listener = new BatchListener() {
            @Override
            public void batch(int sequences, int paddedTokens, int realTokens, long nanos) {
            }

            @Override
            public void dropped(BatchRejectedException.Reason reason, int sequences) {
                dropped.add(reason);
            }
        };
        try (DynamicBatcher batcher = new DynamicBatcher("t", gated, settings(64, 1, 0, 64), listener)) {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Future<Encoded> blocker = pool.submit(() -> batcher.encode(randomInput(new Random(1), 1, 4)));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean gone = new AtomicBoolean();
            CallContext leaving = new CallContext(System.nanoTime() + Duration.ofSeconds(20).toNanos(), gone::get);
            Future<Encoded> left = pool.submit(() -> leaving.run(() -> batcher.encode(randomInput(new Random(2), 3, 4))));
            CallContext hurried = new CallContext(System.nanoTime() + Duration.ofMillis(50).toNanos(), () -> false);
            Future<Encoded> late = pool.submit(() -> hurried.run(() -> batcher.encode(randomInput(new Random(3), 2, 4))));
            while (batcher.queueDepth() < 5) {
                Thread.sleep(5);
            }
            gone.set(true);
            Thread.sleep(100);
            release.countDown();
            assertThat(blocker.get(10, TimeUnit.SECONDS).batch()).isEqualTo(1);
            assertThatThrownBy(() -> left.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(BatchRejectedException.class);
            assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(BatchRejectedException.class);
            // Only the first request ever reached the encoder.
            Thread.sleep(50);
            assertThat(ran).containsExactly(1);
            assertThat(batcher.queueDepth()).isZero();
            assertThat(dropped).contains(BatchRejectedException.Reason.CLIENT_GONE);
            pool.shutdown();
        }
    }

    @Test
    void closingFailsWaitingCallers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Function<EncoderInput, EncoderOutput> gated = in -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return model.forward(in);
        };
        DynamicBatcher batcher = new DynamicBatcher("t", gated, settings(64, 1, 0, 64), null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<Encoded> running = pool.submit(() -> batcher.encode(randomInput(new Random(1), 1, 4)));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Encoded> waiting = pool.submit(() -> batcher.encode(randomInput(new Random(2), 1, 4)));
        while (batcher.queueDepth() < 1) {
            Thread.sleep(5);
        }
        Thread closer = new Thread(batcher::close);
        closer.start();
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(BatchRejectedException.class);
        release.countDown();
        closer.join(10_000);
        assertThat(running.get(10, TimeUnit.SECONDS).batch()).isEqualTo(1);
        assertThatThrownBy(() -> batcher.encode(randomInput(new Random(3), 1, 4)))
                .isInstanceOf(BatchRejectedException.class);
        pool.shutdown();
    }
}
