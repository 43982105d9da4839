package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.io.Npy;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.stack.MoeHome;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GPT-OSS and Llama-4 served end to end through Kafka as Hugging Face computes them: numpy writes a sharded checkpoint
 * of the family (experts fused and input-major; F32, BF16, or for GPT-OSS MXFP4; Llama-4 also as the multimodal
 * checkpoint under {@code language_model.} with MoE every second layer) and computes its MoE layers by its
 * transcription of the Hugging Face blocks ({@code src/test/python/gpt_oss_llama4_numpy.py}); {@code ./moe up} serves
 * it (a process on its embedded broker in the first case; in the others the stack of its command line, started in the
 * test JVM on one broker there under a topic prefix per case; router, experts, gateway as processes) and {@code ./moe infer} (a process in the first case, its command line in the
 * test JVM in the others) must reproduce numpy's output and
 * the in-process reference layer's for every MoE layer. GPT-OSS's cases must have clamped gate and up values.
 */
class GptOssLlama4InteropIT {
    /** max |y - ref| / max |ref|. */
    private static final double TOLERANCE = 1e-4;

    /**
     * The broker of every case but the first, which runs {@code ./moe up}'s embedded one (each case's stack has topics
     * and consumer groups of its own, under its own topic prefix).
     */
    @RegisterExtension
    static final ClassBroker BROKER = new ClassBroker();

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}, {1}, seed {2}, {3} broker")
    @CsvSource({"gpt_oss, f32, 1, embedded", "gpt_oss, bf16, 2, test JVM's", "gpt_oss, mxfp4, 3, test JVM's",
            "llama4_text, bf16, 4, test JVM's", "llama4, f32, 5, test JVM's"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldServeTheCheckpointAsNumpyComputesIt(String family, String dtype, int seed, String broker) throws Exception {
        // given a checkpoint of the family and the expected output of each MoE layer, written by numpy
        String python = InteropProcesses.pythonWithNumpy();
        assumeTrue(python != null, "skipped: no python3 with numpy on this machine (.ci/run installs python3-numpy)");
        InteropProcesses.run(List.of(python, "src/test/python/gpt_oss_llama4_numpy.py", family, work.toString(), dtype,
                Integer.toString(seed)), 120);
        JsonNode stats = new ObjectMapper().readTree(work.resolve("stats.json").toFile());
        if (family.equals("gpt_oss")) {
            assertThat(stats.get("gate_above_limit").asDouble()).as("share of gate values clamped").isGreaterThan(0.01);
            assertThat(stats.get("up_beyond_limit").asDouble()).as("share of up values clamped").isGreaterThan(0.01);
        }
        Path moe = MoeHome.locate().root().resolve("moe");

        // when ./moe up serves it and ./moe infer streams numpy's input through each MoE layer; numpy computes in FP32
        // from the stored values, so the experts do too (the default, auto, computes a BF16 checkpoint in BF16 where
        // the CPU has BF16 units: Bf16ExpertsIT checks that path against the reference on the same backend)
        try (InteropProcesses.Served up = InteropProcesses.up(moe, List.of("--model", work.resolve("model").toString(),
                "--gateway-port", "0", "--compute-dtype", "fp32"), broker, BROKER.kafka(), family + "-" + dtype)) {
            String gateway = up.gateway();
            Matrix x = Npy.read(work.resolve("x.npy"));
            for (JsonNode layerNode : stats.get("moe_layers")) {
                int layer = layerNode.asInt();
                Path y = work.resolve("y-L" + layer + ".npy");
                InteropProcesses.infer(moe, broker, List.of("--gateway", gateway, "--layer", Integer.toString(layer),
                        "--input", work.resolve("x.npy").toString(), "--output", y.toString(), "--chunk-rows", "48"));

                // then each layer's output is numpy's and the reference layer's
                ErrorStats vsNumpy = ErrorStats.compare(Npy.read(y), Npy.read(work.resolve("expected-L" + layer + ".npy")));
                System.out.printf("%s %s seed %d layer %d: moe infer vs numpy: %s%n", family, dtype, seed, layer, vsNumpy);
                assertThat(vsNumpy.maxRelError()).as("layer %d vs numpy", layer).isLessThan(TOLERANCE);
                try (MoeModel model = MoeModel.open(work.resolve("model"));
                     ReferenceMoeLayer reference = new ReferenceMoeLayer(model, layer)) {
                    ErrorStats vsReference = ErrorStats.compare(Npy.read(y), reference.forward(x));
                    System.out.printf("%s %s seed %d layer %d: moe infer vs reference: %s%n", family, dtype, seed, layer,
                            vsReference);
                    assertThat(vsReference.maxRelError()).as("layer %d vs reference", layer).isLessThan(TOLERANCE);
                }
            }

            // and SIGTERM stops the stack
            up.stopAsAUserDoes();
        }
    }
}
