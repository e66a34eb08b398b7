package dev.bertj.benchmarks.jmh;

import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.model.BertActivations;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Rng;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * One BERT-base-wide encoder layer (hidden 768, 12 heads, FFN 3,072; a one-layer model with a 1,000-word vocabulary,
 * so the embeddings cost next to nothing) at batch 1 x 128: the inference forward, and a training forward (dropout
 * 0.1) plus the backward pass into the parameter gradients.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerJmh {

    BertModel model;
    BertActivations inference;
    BertActivations training;
    EncoderInput input;
    Floats dOut;
    Rng dropout;

    @Setup(Level.Trial)
    public void setup() {
        CpuSetup.ensure();
        model = BertModel.initialize(BertConfig.of(1000, 768, 1, 12, 3072), 1);
        inference = model.newActivations(false);
        training = model.newActivations(true);
        int seq = 128;
        int[] ids = new int[seq];
        Rng rng = new Rng(2);
        for (int i = 0; i < seq; i++) {
            ids[i] = 5 + rng.nextInt(990);
        }
        input = new EncoderInput(1, seq, ids, null, null);
        dOut = Floats.allocate((long) seq * 768);
        dOut.fill(1e-3f);
        dropout = new Rng(3);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inference.close();
        training.close();
        dOut.release();
        model.close();
    }

    @Benchmark
    public Object forward() {
        model.forward(input, inference);
        return inference;
    }

    @Benchmark
    public Object forwardBackward() {
        model.forward(input, training, dropout);
        model.backward(training, dOut, null);
        return training;
    }
}
