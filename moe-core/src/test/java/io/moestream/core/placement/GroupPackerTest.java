package io.moestream.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeConfig;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupPackerTest {
    /** 64 experts of 3 · 64 · 1024 · 4 B = 768 KiB each: 48 MiB per layer. */
    private static final MoeConfig OLMOE_LIKE = MoeConfig.mixtral(64, 1024, 64, 8, 16);

    private static SortedSet<Integer> layers(int count) {
        return new TreeSet<>(IntStream.range(0, count).boxed().toList());
    }

    @Test
    void shouldPackWholeLayersWhileTheyFitTheBudget() {
        // 48 MiB per layer, 200 MiB per group: 4 layers per group, 16 layers in 4 groups
        PlacementPlan plan = GroupPacker.byMemory(OLMOE_LIKE, layers(16), 200);

        assertThat(plan.groups()).extracting(ExpertGroup::name).containsExactly("0", "1", "2", "3");
        assertThat(plan.groups()).extracting(ExpertGroup::expertSpec)
                .containsExactly("0:0-63,1:0-63,2:0-63,3:0-63", "4:0-63,5:0-63,6:0-63,7:0-63",
                        "8:0-63,9:0-63,10:0-63,11:0-63", "12:0-63,13:0-63,14:0-63,15:0-63");
        plan.check(OLMOE_LIKE, layers(16));
    }

    @Test
    void shouldSplitALayerThatIsLargerThanTheBudgetIntoAsFewPartsAsFit() {
        // 48 MiB per layer, 20 MiB per group: 26 experts (19.5 MiB) per part, so each layer in 3 parts
        PlacementPlan plan = GroupPacker.byMemory(OLMOE_LIKE, layers(2), 20);

        assertThat(plan.groups()).extracting(ExpertGroup::expertSpec)
                .containsExactly("0:0-25", "0:26-51", "0:52-63", "1:0-25", "1:26-51", "1:52-63");
        assertThat(plan.groups()).allSatisfy(group ->
                assertThat(ExpertFootprint.bytes(OLMOE_LIKE, group.experts())).isLessThanOrEqualTo(20L << 20));
        plan.check(OLMOE_LIKE, layers(2));
    }

    @Test
    void shouldPlaceEachSharedExpertWithItsLayer() {
        // 4 routed experts and the shared one (id 4) per layer
        MoeConfig qwen = new ModelSpec(ModelFamily.QWEN2_MOE, 3, 4, 2, 16, 24, true, 5).config();

        PlacementPlan plan = GroupPacker.byMemory(qwen, layers(3), 1);

        assertThat(plan.groups()).extracting(ExpertGroup::expertSpec).containsExactly("0:0-4,1:0-4,2:0-4");
        plan.check(qwen, layers(3));
    }

    /** The real models' dimensions (FP32 weights): what the default budget and a pod-sized one make of them. */
    @Test
    void shouldPackRealModelsIntoAFewGroups() {
        MoeConfig olmoe = new ModelSpec(ModelFamily.OLMOE, 16, 64, 8, 2048, 1024, false, 1).config();
        MoeConfig qwen3 = new ModelSpec(ModelFamily.QWEN3_MOE, 48, 128, 8, 2048, 768, true, 1).config();
        MoeConfig deepseekV3 = new ModelSpec(ModelFamily.DEEPSEEK_V3, 58, 256, 8, 7168, 2048, true, 1).config();

        // OLMoE: 24 MiB per expert, 1,536 MiB per layer: 5 layers per 8 GiB group
        assertThat(GroupPacker.byMemory(olmoe, layers(16), GroupPacker.DEFAULT_GROUP_MEMORY_MIB).groups()).hasSize(4);
        // Qwen3-30B-A3B: 18 MiB per expert, 2,304 MiB per layer: 3 layers per group
        assertThat(GroupPacker.byMemory(qwen3, layers(48), GroupPacker.DEFAULT_GROUP_MEMORY_MIB).groups()).hasSize(16);
        // DeepSeek-V3: 168 MiB per expert, 42 GiB per layer (256 routed + 1 shared): each layer in 6 groups of 8 GiB,
        // or one group per layer with 64 GiB pods
        assertThat(GroupPacker.byMemory(deepseekV3, layers(58), GroupPacker.DEFAULT_GROUP_MEMORY_MIB).groups()).hasSize(348);
        PlacementPlan perLayer = GroupPacker.byMemory(deepseekV3, layers(58), 65_536);
        assertThat(perLayer.groups()).hasSize(58).allSatisfy(group -> assertThat(group.experts()).hasSize(257));
    }

    @Test
    void shouldRefuseABudgetSmallerThanOneExpert() {
        assertThatThrownBy(() -> GroupPacker.byMemory(MoeConfig.mixtral(1024, 4096, 8, 2, 1), layers(1), 10))
                .hasMessageContaining("expert 0:0 alone holds 48 MiB of weights, over the budget of 10 MiB per group");
    }

    @Test
    void shouldSplitEvenlyInLayerOrderForAProcessCount() {
        PlacementPlan plan = GroupPacker.evenly(MoeConfig.mixtral(8, 16, 4, 2, 3), layers(3), 5);

        assertThat(plan.groups()).extracting(ExpertGroup::expertSpec)
                .containsExactly("0:0-1", "0:2-3", "1:0-2", "1:3,2:0", "2:1-3");
        assertThat(GroupPacker.evenly(MoeConfig.mixtral(8, 16, 2, 1, 1), layers(1), 5).groups()).hasSize(2);
    }
}
