package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.moestream.core.io.Npy;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
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
 * The user's path with a model we did not write: for each supported family, numpy writes a sharded F16
 * two-layer checkpoint in that family's Hugging Face layout (per-expert tensors, or the fused layout for two
 * families) and computes both layers itself; {@code ./moe up} serves it (a process on its embedded broker in the first
 * case; in the others the stack of its command line, started in the test JVM on one broker there under a topic prefix
 * per case; all services as processes, every layer, shared experts as their own expert; the Mixtral case serves only layer 1 with
 * {@code --layers 1}, and a request for layer 0 must be refused) and {@code ./moe infer} (a process in the first case,
 * its command line in the test JVM in the others) must reproduce numpy's output and the in-process reference layer's
 * for each served layer. Ctrl-C
 * (SIGTERM) then stops it all.
 */
class HuggingFaceInteropIT {
    /**
     * The broker of every case but the first, which runs {@code ./moe up}'s embedded one (each case's stack has topics
     * and consumer groups of its own, under its own topic prefix).
     */
    @RegisterExtension
    static final ClassBroker BROKER = new ClassBroker();

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}, {1} experts, layers {2}, {3} broker")
    @CsvSource({"mixtral, per-expert, 1, embedded", "qwen2_moe, per-expert, all, test JVM's",
            "qwen3_moe, per-expert, all, test JVM's", "olmoe, per-expert, all, test JVM's",
            "deepseek_v2, per-expert, all, test JVM's", "deepseek_v3, per-expert, all, test JVM's",
            "qwen2_moe, fused, all, test JVM's", "olmoe, fused, all, test JVM's"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldServeACheckpointWrittenByNumpyAsNumpyComputesIt(String family, String layout, String layers, String broker)
            throws Exception {
        // given a two-layer checkpoint of the family and the expected output of each layer, written by numpy
        String python = InteropProcesses.pythonWithNumpy();
        assumeTrue(python != null, "skipped: no python3 with numpy on this machine (.ci/run installs python3-numpy)");
        InteropProcesses.run(List.of(python, "src/test/python/moe_layer_numpy.py", family, work.toString(), layout), 120);
        Path moe = MoeHome.locate().root().resolve("moe");

        // when ./moe up serves it (every MoE layer, or only layer 1) and ./moe infer streams numpy's input through
        // each served layer
        try (InteropProcesses.Served up = InteropProcesses.up(moe, List.of("--model", work.resolve("model").toString(),
                "--gateway-port", "0", "--layers", layers), broker, BROKER.kafka(), family + "-" + layout)) {
            String gateway = up.gateway();
            for (int layer = 0; layer < 2; layer++) {
                if (!layers.equals("all") && !layers.equals(Integer.toString(layer))) {
                    String refused = InteropProcesses.runExpectingFailure(List.of(moe.toString(), "infer", "--gateway", gateway, "--layer",
                            Integer.toString(layer), "--input", work.resolve("x.npy").toString(), "--output",
                            work.resolve("unserved.npy").toString()));
                    assertThat(refused).as("a layer not served is refused, naming the served ones")
                            .contains("layer " + layer + " is not a served MoE layer (served layers: [" + layers + "])");
                    continue;
                }
                Path y = work.resolve("y-L" + layer + ".npy");
                InteropProcesses.infer(moe, broker, List.of("--gateway", gateway, "--layer", Integer.toString(layer),
                        "--input", work.resolve("x.npy").toString(), "--output", y.toString(), "--chunk-rows", "64"));

                // then each layer's output is numpy's
                ErrorStats error = ErrorStats.compare(Npy.read(y), Npy.read(work.resolve("expected-L" + layer + ".npy")));
                System.out.println(family + " (" + layout + ") layer " + layer + ": moe infer vs numpy: " + error);
                assertThat(error.maxRelError()).as("layer %d", layer).isLessThan(1e-4);
                try (MoeModel model = MoeModel.open(work.resolve("model"));
                     ReferenceMoeLayer reference = new ReferenceMoeLayer(model, layer)) {
                    ErrorStats vsReference = ErrorStats.compare(Npy.read(y), reference.forward(Npy.read(work.resolve("x.npy"))));
                    System.out.println(family + " (" + layout + ") layer " + layer + ": moe infer vs reference: " + vsReference);
                    assertThat(vsReference.maxRelError()).as("layer %d vs reference", layer).isLessThan(1e-4);
                }
            }

            // and SIGTERM stops the stack: moe up exits and the gateway port closes
            up.stopAsAUserDoes();
        }
    }
}
