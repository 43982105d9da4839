package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.ExpertRanges;
import io.moestream.testsupport.TempModel;
import io.moestream.tools.cli.K8sCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code moe k8s} for GPT-OSS and Llama-4 models: every served expert in an expert group Deployment, every document valid offline. */
class FamilyManifestsTest {
    private static final int LAYERS = 2;
    private static final int ROUTED_EXPERTS = 4;

    @TempDir
    Path out;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"GPT_OSS, 4", "LLAMA4_TEXT, 5"})
    void shouldDeployEveryServedExpertOfTheFamily(ModelFamily family, int servedExperts) throws Exception {
        // given a model of the family (Llama-4's shared expert is served as one more expert)
        try (TempModel model = TempModel.generate(new ModelSpec(family, LAYERS, ROUTED_EXPERTS, 1, 32, 32, true, 3))) {
            // when
            int exit = new CommandLine(new K8sCommand()).execute("--model", model.dir().toString(),
                    "--namespace", "moe-test", "--out", out.toString());

            // then
            assertThat(exit).isZero();
        }
        List<String> problems = new ArrayList<>();
        Set<ExpertId> deployed = new HashSet<>();
        for (Map.Entry<String, List<ObjectNode>> file : GeneratedManifestsTest.readAll(out).entrySet()) {
            for (ObjectNode document : file.getValue()) {
                String type = OfflineManifestValidator.typeOf(document);
                if (type.startsWith("kustomize.config.k8s.io/") || KedaSchema.KINDS.contains(type)) {
                    continue;
                }
                OfflineManifestValidator.problem(document).ifPresent(p -> problems.add(file.getKey() + ": " + p));
                if (type.equals("apps/v1/Deployment") && document.path("metadata").path("labels")
                        .path("app.kubernetes.io/component").asText().equals("expert")) {
                    document.path("spec").path("template").path("spec").path("containers").get(0).path("env")
                            .forEach(env -> {
                                if (env.path("name").asText().equals("MOE_EXPERT_EXPERTS")) {
                                    deployed.addAll(ExpertRanges.parse(env.path("value").asText()));
                                }
                            });
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(deployed).hasSize(LAYERS * servedExperts)
                .allSatisfy(id -> assertThat(id.expert()).isLessThan(servedExperts));
    }
}
