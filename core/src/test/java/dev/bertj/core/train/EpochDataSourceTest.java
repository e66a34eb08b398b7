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
}
