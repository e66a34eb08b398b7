package dev.bertj.app.cli;

import dev.bertj.core.hub.ModelConverter;
import dev.bertj.core.hub.ModelDirectory;
import dev.bertj.core.hub.SourceFormat;
import dev.bertj.core.io.DType;
import dev.bertj.core.model.BertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./bert convert}: imports a checkpoint (TF, ONNX or safetensors) into bertj's native model directory,
 * Hugging Face's layout ({@code config.json}, {@code vocab.txt}, {@code model.safetensors}).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {
            "Convert a checkpoint into a native model directory (Hugging Face layout: config.json, vocab.txt,",
            "model.safetensors with BertForPreTraining names), loadable by bertj and by transformers.",
            "SRC is a file, a directory, or a jar carrying the model (e.g. a Maven artifact):",
            "  tf           Google's TF checkpoint: a prefix, its .index file, a (SavedModel) directory, or a jar",
            "  onnx         a PyTorch-exported .onnx (fp32 or int8/uint8 quantized, dequantized on load)",
            "  safetensors  a Hugging Face directory (config.json + model.safetensors)",
            "The vocabulary is taken from vocab.txt or tokenizer.json found with the model unless --vocab is given."})
public class ConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "FORMAT", description = "tf, onnx or safetensors")
    String from;

    @Parameters(index = "0", paramLabel = "SRC", description = "the checkpoint: a file, a directory or a jar")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model directory to create")
    Path out;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "f32",
            description = "f32, f16 or bf16 for model.safetensors (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--vocab", paramLabel = "FILE", description = "a vocab.txt to use instead of the one found with SRC")
    Path vocab;

    @Override
    public Integer call() throws Exception {
        SourceFormat format;
        DType type;
        try {
            format = SourceFormat.parse(from);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new ParameterException(spec.commandLine(),
                    "unknown --dtype '" + dtype + "': use f32, f16 or bf16");
        };
        if (!Files.exists(source)) {
            throw new ParameterException(spec.commandLine(), source + ": no such file or directory");
        }
        long t0 = System.nanoTime();
        Path dir = ModelConverter.convert(format, source, out, type, vocab);
        ModelDirectory d = ModelDirectory.open(dir);
        BertConfig c = d.config();
        spec.commandLine().getOut().printf(Locale.ROOT,
                "converted %s (%s) -> %s: %d layers, hidden %d, %d heads, vocab %d%s%s, %s, %.1f MB, %.1f s%n",
                source, format, dir, c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.vocabSize(),
                d.hasPooler() ? ", pooler" : "", d.hasMlmHead() ? ", MLM head" : "", type.name().toLowerCase(Locale.ROOT),
                Files.size(d.weightsFile()) / 1e6, (System.nanoTime() - t0) / 1e9);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
