package dev.bertj.app.metrics;

import dev.bertj.app.batch.BatchListener;
import dev.bertj.app.batch.BatchRejectedException;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.model.ServedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The service's own Prometheus metrics (on top of Quarkus's HTTP ones): requests and latency per endpoint and
 * model, encoder batch sizes, queue depth, tokens per second, and job progress. docs/service.md lists them.
 */
@Singleton
public class ServiceMetrics implements ModelStore.BatchListenerFactory {

    private final MeterRegistry registry;
    private final Map<String, List<Meter>> modelGauges = new ConcurrentHashMap<>();
    private final Map<String, double[]> jobProgress = new ConcurrentHashMap<>();

    @Inject
    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Off-heap memory is where a long-running JVM inference service leaks (ND4J buffers, JavaCPP pointers):
        // the soak test (benchmarks/reliability/soak.sh) watches these two stay flat.
        Gauge.builder("bertj.native.bytes", org.bytedeco.javacpp.Pointer::totalBytes)
                .description("Off-heap bytes held by live JavaCPP pointers (ND4J buffers included)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("bertj.native.physical.bytes", org.bytedeco.javacpp.Pointer::physicalBytes)
                .description("Resident memory of the process as JavaCPP measures it (its allocation limit's basis)")
                .baseUnit("bytes").register(registry);
        // ND4J 1.0.0-M2.1 allocates its CPU buffers in libnd4j, outside JavaCPP's and the JVM's accounting, so
        // the resident memory the JVM cannot explain is the best measure of them (thread stacks included).
        Gauge.builder("bertj.native.outside.jvm.bytes", ServiceMetrics::residentOutsideJvm)
                .description("Resident bytes not committed by the JVM's heap and non-heap pools (ND4J's buffers, "
                        + "native libraries, thread stacks)")
                .baseUnit("bytes").register(registry);
    }

    static double residentOutsideJvm() {
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        long jvm = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)) {
            jvm += pool.getMemoryUsed();
        }
        return org.bytedeco.javacpp.Pointer.physicalBytes() - jvm;
    }

    /** One finished request: endpoint ("fill-mask"), model id, HTTP status. */
    public void request(String endpoint, String model, int status, long nanos) {
        Timer.builder("bertj.requests").description("Inference requests by endpoint, model and status")
                .tags("endpoint", endpoint, "model", model == null ? "" : model, "status", Integer.toString(status))
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public BatchListener apply(String model) {
        DistributionSummary sequences = DistributionSummary.builder("bertj.batch.sequences")
                .description("Sequences per encoder batch").tags("model", model)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        DistributionSummary padded = DistributionSummary.builder("bertj.batch.tokens")
                .description("Padded tokens per encoder batch").tags("model", model).register(registry);
        Counter tokens = Counter.builder("bertj.encoder.tokens").description("Real tokens encoded (rate = tokens/s)")
                .tags("model", model).register(registry);
        Timer encoderTime = Timer.builder("bertj.encoder.batch.time").description("Encoder time per batch")
                .tags("model", model).register(registry);
        double[] recentTokensPerSecond = {0};
        Gauge.builder("bertj.encoder.tokens.per.second", recentTokensPerSecond, a -> a[0])
                .description("Tokens per second of the last encoder batch").tags("model", model).register(registry);
        return new BatchListener() {
            @Override
            public void batch(int seqs, int paddedTokens, int realTokens, long nanos) {
                sequences.record(seqs);
                padded.record(paddedTokens);
                tokens.increment(realTokens);
                encoderTime.record(Duration.ofNanos(nanos));
                recentTokensPerSecond[0] = realTokens * 1e9 / Math.max(1, nanos);
            }

            @Override
            public void dropped(BatchRejectedException.Reason reason, int seqs) {
                registry.counter("bertj.batch.dropped", Tags.of("model", model, "reason",
                        reason.name().toLowerCase())).increment(seqs);
            }
        };
    }

    /** Starts the per-model gauges of a model just loaded. */
    public void watch(ServedModel m) {
        Gauge depth = Gauge.builder("bertj.queue.depth", m.batcher(), b -> b.queueDepth())
                .description("Sequences waiting for the encoder").tags("model", m.id()).register(registry);
        modelGauges.put(m.id(), List.of(depth));
    }

    public void unwatch(String id) {
        List<Meter> gone = modelGauges.remove(id);
        if (gone != null) {
            gone.forEach(registry::remove);
        }
    }

    /** Sets a job's progress (0..1) for the {@code bertj_job_progress} gauge. */
    public void jobProgress(String jobId, double fraction) {
        jobProgress.computeIfAbsent(jobId, id -> {
            double[] cell = {0};
            Gauge.builder("bertj.job.progress", cell, c -> c[0]).description("Fraction of a job's steps done")
                    .tags("job", id).register(registry);
            return cell;
        })[0] = fraction;
    }
}
