package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void linearWarmupDecayIsHuggingFacesSchedule() {
        // get_linear_schedule_with_warmup(num_warmup_steps=10, num_training_steps=110), base lr 1e-4
        LearningRateSchedule s = LearningRateSchedule.linearWarmupDecay(1e-4, 10, 110);
        assertThat(s.at(0)).isEqualTo(0.0);
        assertThat(s.at(5)).isCloseTo(0.5e-4, offset(1e-15));
        assertThat(s.at(10)).isCloseTo(1e-4, offset(1e-15));
        assertThat(s.at(60)).isCloseTo(0.5e-4, offset(1e-15));
        assertThat(s.at(109)).isCloseTo(1e-6, offset(1e-15));
        assertThat(s.at(110)).isEqualTo(0.0);
        assertThat(s.at(500)).isEqualTo(0.0);
    }

    @Test
    void bertScheduleDecaysFromStepZeroAndSwitchesAfterWarmup() {
        // create_optimizer(init_lr=1e-4, num_train_steps=100, num_warmup_steps=10)
        LearningRateSchedule s = LearningRateSchedule.bertWarmupDecay(1e-4, 10, 100);
        assertThat(s.at(0)).isEqualTo(0.0);
        assertThat(s.at(9)).isCloseTo(0.9e-4, offset(1e-15));
        assertThat(s.at(10)).isCloseTo(0.9e-4, offset(1e-15)); // polynomial_decay at 10/100, not the peak
        assertThat(s.at(50)).isCloseTo(0.5e-4, offset(1e-15));
        assertThat(s.at(100)).isEqualTo(0.0);
        assertThat(s.at(150)).isEqualTo(0.0);
    }

    @Test
    void constantAndWarmupConstant() {
        assertThat(LearningRateSchedule.constant(3e-5).at(12345)).isEqualTo(3e-5);
        LearningRateSchedule w = LearningRateSchedule.warmupConstant(2e-5, 4);
        assertThat(w.at(0)).isEqualTo(0.0);
        assertThat(w.at(1)).isCloseTo(0.5e-5, offset(1e-15));
        assertThat(w.at(4)).isEqualTo(2e-5);
        assertThat(w.at(1000)).isEqualTo(2e-5);
        assertThat(LearningRateSchedule.warmupConstant(2e-5, 0).at(0)).isEqualTo(2e-5);
    }

    @Test
    void roundTripsThroughJson() {
        for (LearningRateSchedule s : new LearningRateSchedule[] {
            LearningRateSchedule.constant(1e-3), LearningRateSchedule.warmupConstant(1e-3, 7),
            LearningRateSchedule.linearWarmupDecay(1e-3, 7, 70), LearningRateSchedule.bertWarmupDecay(1e-3, 7, 70)}) {
            assertThat(LearningRateSchedule.fromJson(s.toJson())).isEqualTo(s);
        }
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> LearningRateSchedule.linearWarmupDecay(1e-4, 20, 10)).hasMessageContaining("warm-up");
        assertThatThrownBy(() -> LearningRateSchedule.bertWarmupDecay(1e-4, 0, 0)).hasMessageContaining("total steps");
        assertThatThrownBy(() -> LearningRateSchedule.constant(-1)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> LearningRateSchedule.fromJson(
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "cosine")))
                .hasMessageContaining("cosine");
    }
}
