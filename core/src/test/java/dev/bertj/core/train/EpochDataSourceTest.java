package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochDataSourceTest {

    private static final List<Integer> EXAMPLES = IntStream.range(0, 10).boxed().toList();

    private static EpochDataSource<Integer, List<Integer>> source(long seed, boolean shuffle) {
        return new EpochDataSource<>(EXAMPLES, 4, seed, shuffle, List::copyOf);
    }

    @Test
    void eachEpochIsAFreshPermutationInBatchesWithASmallerLastOne() {
        EpochDataSource<Integer, List<Integer>> s = source(3, true);
        assertThat(s.batchesPerEpoch()).isEqualTo(3);
        List<List<Integer>> epochs = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            List<Integer> seen = new ArrayList<>();
            assertThat(s.next()).hasSize(4).allSatisfy(seen::add);
            assertThat(s.next()).hasSize(4).allSatisfy(seen::add);
            assertThat(s.next()).hasSize(2).allSatisfy(seen::add);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(EXAMPLES);
            epochs.add(seen);
        }
        assertThat(s.epoch()).isEqualTo(2);
        assertThat(epochs.get(1)).isNotEqualTo(epochs.get(0));
        assertThat(epochs.get(0)).isNotEqualTo(EXAMPLES);
        assertThat(source(3, false).next()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aRestoredPositionRepeatsTheSameBatches() {
        EpochDataSource<Integer, List<Integer>> s = source(5, true);
        for (int i = 0; i < 4; i++) {
            s.next();
        }
        JsonNode position = s.position();
        List<List<Integer>> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            expected.add(s.next());
        }
        EpochDataSource<Integer, List<Integer>> fresh = source(5, true);
        fresh.restore(position);
        for (List<Integer> batch : expected) {
            assertThat(fresh.next()).isEqualTo(batch);
        }
    }

    @Test
    void refusesPositionsThatDoNotFit() {
        JsonNode position = source(5, true).position();
        EpochDataSource<Integer, List<Integer>> other = new EpochDataSource<>(EXAMPLES.subList(0, 9), 4, 5, true, List::copyOf);
        assertThatThrownBy(() -> other.restore(position)).hasMessageContaining("training data changed");
        assertThatThrownBy(() -> other.restore(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()))
                .hasMessageContaining("not a position");
        assertThatThrownBy(() -> new EpochDataSource<>(List.of(), 4, 5, true, List::copyOf)).hasMessageContaining("no training examples");
    }

    @Test
    void bucketedEpochsAreBatchesOfSimilarLengthThatCoverEveryExampleOnceAndResumeExactly() {
        int n = 1003;
        int batch = 16;
        List<Integer> examples = IntStream.range(0, n).boxed().toList();
        int[] lengths = new int[n];
        dev.bertj.core.nn.Rng rng = new dev.bertj.core.nn.Rng(3);
        for (int i = 0; i < n; i++) {
            lengths[i] = 3 + rng.nextInt(120);
        }
        EpochDataSource<Integer, List<Integer>> s = new EpochDataSource<>(examples, batch, 7, true, List::copyOf, lengths);
        List<List<Integer>> epoch0 = new ArrayList<>();
        long padded = 0;
        long real = 0;
        for (int b = 0; b < s.batchesPerEpoch(); b++) {
            List<Integer> next = s.next();
            assertThat(next.size()).isEqualTo(b < s.batchesPerEpoch() - 1 ? batch : n % batch);
            int max = next.stream().mapToInt(i -> lengths[i]).max().orElseThrow();
            padded += (long) max * next.size();
            real += next.stream().mapToInt(i -> lengths[i]).sum();
            epoch0.add(next);
        }
        assertThat(epoch0.stream().flatMap(List::stream).sorted().toList()).isEqualTo(examples);
        // Random batches of 16 lengths in 3..122 pad by ~90%; bucketed ones by a few percent.
        assertThat((double) padded / real - 1).isLessThan(0.1);
        JsonNode mid = null;
        List<List<Integer>> after = new ArrayList<>();
        for (int b = 0; b < 100; b++) {
            if (b == 30) {
                mid = s.position();
            }
            List<Integer> next = s.next();
            if (b >= 30) {
                after.add(next);
            }
        }
        assertThat(after.get(0)).isNotEqualTo(epoch0.get(30)); // a new epoch, newly bucketed
        EpochDataSource<Integer, List<Integer>> resumed = new EpochDataSource<>(examples, batch, 7, true, List::copyOf, lengths);
        resumed.restore(mid);
        for (List<Integer> expected : after) {
            assertThat(resumed.next()).isEqualTo(expected);
        }
    }
}
