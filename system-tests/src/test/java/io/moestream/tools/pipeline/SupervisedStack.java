package io.moestream.tools.pipeline;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.RestartPolicy;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The fixture of the recovery tests: a generated model and its reference layer, a local stack under {@code ./moe up}'s
 * supervision, and how long a fault-free stream of the tests' size takes on it. Closing it keeps the processes' logs
 * (under {@code target/}) and stops everything.
 */
final class SupervisedStack implements AutoCloseable {
    static final int D_MODEL = 32;
    static final int CHUNK_ROWS = 20;
    /**
     * Tokens per stream: 500 chunks, enough that the kill lands with most of the stream still to come. The recovery
     * figures in BENCHMARKS.md were measured on 2000-chunk streams: {@code -Dmoe.recovery.tokens=40000} runs those.
     */
    static final int TOKENS = Integer.getInteger("moe.recovery.tokens", 10_000);

    private final String name;
    private final MoeModel model;
    private final ReferenceMoeLayer reference;
    private final Path modelDir;
    private LocalStack stack;
    private SupervisorThread supervisor;
    private double faultFreeSeconds;

    private SupervisedStack(String name, Path modelDir) {
        this.name = name;
        this.modelDir = modelDir;
        this.model = MoeModel.open(modelDir);
        this.reference = new ReferenceMoeLayer(model, 0);
    }

    /** A one-layer model of 4 experts, top-2, and a stack of it with the options {@code options} makes of its directory. */
    static SupervisedStack start(String name, long seed, Function<Path, StackOptions> options) throws Exception {
        Path modelDir = Files.createTempDirectory(name + "-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 48, seed));
        SupervisedStack fixture = new SupervisedStack(name, modelDir);
        try {
            // a slow restart on a busy 2-core machine must not turn into expired chunks: that is FaultsIT's guarantee;
            // here every chunk must be answered
            StackOptions chosen = options.apply(modelDir);
            Map<String, String> properties = new HashMap<>(chosen.extraProperties());
            properties.put("gateway:moe.gateway.chunk-deadline", "90s");
            fixture.stack = LocalStack.start(MoeHome.locate(), chosen.withExtraProperties(properties), System.out::println);
            fixture.supervisor = new SupervisorThread(fixture.stack, RestartPolicy.DEFAULT);
            fixture.faultFreeSeconds = MidStreamKill.faultFreeSeconds(fixture.stack.gatewayAddress(),
                    Matrix.gaussian(TOKENS, D_MODEL, 99), CHUNK_ROWS);
            return fixture;
        } catch (Exception | Error e) {
            fixture.close();
            throw e;
        }
    }

    LocalStack stack() {
        return stack;
    }

    SupervisorThread supervisor() {
        return supervisor;
    }

    ReferenceMoeLayer reference() {
        return reference;
    }

    double faultFreeSeconds() {
        return faultFreeSeconds;
    }

    @Override
    public void close() throws Exception {
        try {
            if (supervisor != null) {
                supervisor.close();
            }
            if (stack != null) {
                stack.copyLogsTo(PipelineFixtures.logDir(name));
                stack.close();
            }
        } finally {
            reference.close();
            model.close();
            LocalStack.deleteRecursively(modelDir);
        }
    }
}
