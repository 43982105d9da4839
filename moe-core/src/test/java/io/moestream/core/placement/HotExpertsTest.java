package io.moestream.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.moestream.core.model.MoeConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class HotExpertsTest {

    @Test
    void shouldGiveEachHotExpertAGroupWithItsReplicasAndPartitions() {
        MoeConfig config = MoeConfig.mixtral(8, 16, 4, 2, 2);
        TreeSet<Integer> layers = new TreeSet<>(List.of(0, 1));
        PlacementPlan base = GroupPacker.evenly(config, layers, 2);

        PlacementPlan plan = HotExperts.split(base, Map.of(new ExpertId(1, 2), 3, new ExpertId(0, 0), 2, new ExpertId(0, 1), 1));

        assertThat(plan.groups()).extracting(ExpertGroup::name, ExpertGroup::expertSpec, ExpertGroup::replicas,
                ExpertGroup::partitions).containsExactly(
                tuple("0", "0:1-3", 1, 1), tuple("1", "1:0-1,1:3", 1, 1),
                tuple("hot-l0-e0", "0:0", 2, 2), tuple("hot-l1-e2", "1:2", 3, 3));
        plan.check(config, layers);
    }
}
