package io.moestream.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.moestream.core.model.MoeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file and the checks a plan must pass before anything starts; every refusal names the problem. */
class PlacementPlanTest {
    /** 2 layers (0 and 2 served) of 4 experts of 3 · 64 · 1024 · 4 B = 768 KiB. */
    private static final MoeConfig CONFIG = MoeConfig.mixtral(64, 1024, 4, 2, 3);
    private static final SortedSet<Integer> LAYERS = new TreeSet<>(List.of(0, 2));

    @TempDir
    Path dir;

    private PlacementPlan read(String json) throws Exception {
        return PlanFile.read(Files.writeString(dir.resolve("plan.json"), json));
    }

    @Test
    void shouldReadAPlanWithDefaultsAndWriteItBack() throws Exception {
        PlacementPlan plan = read("""
                {"groupMemoryMib": 4, "groups": [
                  {"name": "a", "experts": "0:0-3"},
                  {"name": "hot", "experts": "2:1", "replicas": 3, "partitions": 3},
                  {"name": "b", "experts": "2:0,2:2-3"}]}""");

        plan.check(CONFIG, LAYERS);
        assertThat(plan.groups()).extracting(ExpertGroup::name, ExpertGroup::replicas, ExpertGroup::partitions)
                .containsExactly(tuple("a", 1, 1), tuple("hot", 3, 3),
                        tuple("b", 1, 1));
        assertThat(plan.processes()).isEqualTo(5);
        PlanFile.write(plan, dir.resolve("again.json"));
        assertThat(PlanFile.read(dir.resolve("again.json"))).isEqualTo(plan);
    }

    @Test
    void shouldRefuseAnUnknownLayerOrExpert() throws Exception {
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-3,1:0\"}]}").check(CONFIG, LAYERS))
                .hasMessageContaining("group 'a' names expert 1:0, but layer 1 is not a served MoE layer (served layers [0, 2])");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-4\"}]}").check(CONFIG, LAYERS))
                .hasMessageContaining("group 'a' names expert 0:4, but the model's layers have experts 0..3");
    }

    @Test
    void shouldRefuseAnExpertPlacedTwiceOrNotAtAll() throws Exception {
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-3,2:0-3\"},"
                + " {\"name\": \"b\", \"experts\": \"2:3\"}]}").check(CONFIG, LAYERS))
                .hasMessageContaining("expert 2:3 is placed in groups 'a' and 'b'")
                .hasMessageContaining("give its group more replicas and partitions");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-3,2:0-1\"}]}").check(CONFIG, LAYERS))
                .hasMessageContaining("2 expert(s) placed in no group: 2:2-3");
    }

    @Test
    void shouldRefuseAGroupOverTheMemoryBudget() throws Exception {
        assertThatThrownBy(() -> read("{\"groupMemoryMib\": 2, \"groups\": [{\"name\": \"a\", \"experts\": \"0:0-3,2:0-3\"}]}")
                .check(CONFIG, LAYERS))
                .hasMessageContaining("group 'a' holds 6 MiB of weights, over the budget of 2 MiB per group");
    }

    @Test
    void shouldRefuseMalformedFilesNamingTheProblem() {
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"A b\", \"experts\": \"0:0\"}]}"))
                .hasMessageContaining("group name 'A b' must be 1-40 lower-case letters");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0\", \"replica\": 2}]}"))
                .hasMessageContaining("unknown key \"replica\" in group 'a'");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:x\"}]}"))
                .hasMessageContaining("group 'a': '0:x' is not layer:expert");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0\", \"replicas\": 0}]}"))
                .hasMessageContaining("group 'a': replicas must be at least 1, got 0");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0\"}, {\"name\": \"a\", \"experts\": \"0:1\"}]}"))
                .hasMessageContaining("two groups are named 'a'");
        assertThatThrownBy(() -> read("{\"groups\": [")).hasMessageContaining("is not readable JSON");
        assertThatThrownBy(() -> read("{\"groups\": [{\"name\": \"a\"}]}")).hasMessageContaining("group 'a' needs \"experts\"");
    }
}
