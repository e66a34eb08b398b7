package dev.bertj.app.concurrency;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.testing.AllHeadsModel;
import dev.bertj.core.service.Bertj;
import dev.bertj.core.service.Pooling;
import dev.bertj.core.service.RepresentationService;
import dev.bertj.heads.classification.ClassificationRequest;
import dev.bertj.heads.mlm.FillMaskRequest;
import dev.bertj.heads.nsp.NextSentenceRequest;
import dev.bertj.heads.qa.QaRequest;
import dev.bertj.heads.translation.TranslationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder and every built-in head give bit-identical answers when 16 threads call them at once as when one
 * thread calls them in turn: no shared scratch buffer, cache or BLAS state leaks between callers. (The service's
 * batcher pads requests together, which changes float rounding; this test calls the model directly so that any
 * difference at all is a concurrency bug.)
 */
class ConcurrentCallersTest {

    static final int THREADS = 16;
    static final int ROUNDS = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    static final String[] TEXTS = {"the cat sat on the mat .", "where is paris ?", "hello world !",
        "the capital of france is paris .", "a dog lives in the world", "who sat on a dog ?", "bert", ""};

    /** One call into the model, named for the failure message, answering its result as exact JSON. */
    record Task(String name, Callable<String> call) {
    }

    @Test
    void sixteenConcurrentCallersGetExactlyTheSequentialAnswers(@TempDir Path dir) throws Exception {
        Path model = AllHeadsModel.write(dir.resolve("all-heads"), 11);
        try (Bertj bert = Bertj.load(model, RepresentationService.Options.DEFAULT)) {
            List<Task> tasks = tasks(bert);
            assertThat(tasks.stream().map(t -> t.name().substring(0, t.name().indexOf(' '))).distinct())
                    .containsExactlyInAnyOrder("encode", "embed-mean", "embed-cls", "embed-batch", "mlm", "nsp",
                            "qa", "classification", "translation");
            List<String> expected = new ArrayList<>();
            for (Task t : tasks) {
                expected.add(t.call().call());
            }

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<String>>> callers = new ArrayList<>();
                for (int c = 0; c < THREADS; c++) {
                    long seed = c;
                    callers.add(pool.submit(() -> {
                        // Each caller runs every task ROUNDS times in its own order, so that different calls overlap.
                        List<Integer> order = new ArrayList<>();
                        for (int r = 0; r < ROUNDS; r++) {
                            for (int i = 0; i < tasks.size(); i++) {
                                order.add(i);
                            }
                        }
                        Collections.shuffle(order, new Random(seed));
                        start.await();
                        List<String> mismatches = new ArrayList<>();
                        for (int i : order) {
                            String got = tasks.get(i).call().call();
                            if (!got.equals(expected.get(i))) {
                                mismatches.add(tasks.get(i).name() + ": concurrent " + abbreviate(got)
                                        + " vs sequential " + abbreviate(expected.get(i)));
                            }
                        }
                        return mismatches;
                    }));
                }
                start.countDown();
                List<String> mismatches = new ArrayList<>();
                for (Future<List<String>> f : callers) {
                    mismatches.addAll(f.get(10, TimeUnit.MINUTES));
                }
                assertThat(mismatches).as("answers that differ from the sequential ones").isEmpty();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static List<Task> tasks(Bertj bert) {
        List<Task> tasks = new ArrayList<>();
        for (String text : TEXTS) {
            tasks.add(new Task("encode '" + text + "'", () -> JSON.writeValueAsString(bert.encode(text))));
            tasks.add(new Task("embed-mean '" + text + "'",
                    () -> JSON.writeValueAsString(bert.embed(text, Pooling.MEAN, true))));
            tasks.add(new Task("embed-cls '" + text + "'",
                    () -> JSON.writeValueAsString(bert.embed(text, Pooling.CLS, false))));
            if (!text.isEmpty()) {
                tasks.add(new Task("classification '" + text + "'",
                        () -> JSON.writeValueAsString(bert.predict("classification", ClassificationRequest.of(text)))));
                tasks.add(new Task("translation '" + text + "'",
                        () -> JSON.writeValueAsString(bert.predict("translation", TranslationRequest.of(text)))));
            }
        }
        tasks.add(new Task("embed-batch all", () -> JSON.writeValueAsString(
                bert.embed(List.of(TEXTS).subList(0, 6), Pooling.MEAN, false))));
        for (String text : new String[] {"the cat [MASK] on the mat .", "[MASK] is the capital of [MASK] .",
            "hello [MASK]"}) {
            tasks.add(new Task("mlm '" + text + "'",
                    () -> JSON.writeValueAsString(bert.predict("mlm", FillMaskRequest.of(text)))));
        }
        for (int i = 0; i + 1 < TEXTS.length - 1; i++) {
            String a = TEXTS[i];
            String b = TEXTS[i + 1];
            tasks.add(new Task("nsp '" + a + "' / '" + b + "'",
                    () -> JSON.writeValueAsString(bert.predict("nsp", new NextSentenceRequest(a, b)))));
        }
        for (String question : new String[] {"where is paris ?", "who sat on the mat ?", "what is the capital ?"}) {
            String context = "the cat sat on the mat . paris is the capital of france . a dog lives in the world .";
            tasks.add(new Task("qa '" + question + "'",
                    () -> JSON.writeValueAsString(bert.predict("qa", QaRequest.of(question, context)))));
        }
        return tasks;
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
