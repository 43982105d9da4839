package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.PlanSource;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.RestartPolicy;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The supervision of {@code ./moe up} on the real pipeline (an embedded KRaft broker, the router, three expert
 * processes and the gateway as separate processes): a process killed with SIGKILL mid-stream is restarted by the
 * {@link io.moestream.tools.stack.Supervisor} alone, the stream completes with every chunk answered once and equal to
 * the reference layer, and the time until the stream made progress again is printed (BENCHMARKS.md, "Recovery").
 * The plan has a group of one process ({@code expert-a}) and a group of two replicas ({@code expert-b-r0/r1}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SupervisionIT {
    static final int D_MODEL = 32;
    static final int CHUNK_ROWS = 20;
    static final int TOKENS = 40_000;
    static final Duration STREAM_WAIT = MidStreamKill.STREAM_WAIT;

    private Path modelDir;
    private LocalStack stack;
    private SupervisorThread supervisor;
    private MoeModel model;
    private ReferenceMoeLayer reference;
    private double faultFreeSeconds;

    @BeforeAll
    void startStack() throws Exception {
        modelDir = Files.createTempDirectory("supervision-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 48, 41));
        Path plan = modelDir.resolve("placement.json");
        Files.writeString(plan, "{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-1\"},"
                + " {\"name\": \"b\", \"experts\": \"0:2-3\", \"replicas\": 2, \"partitions\": 2}]}");
        model = MoeModel.open(modelDir);
        reference = new ReferenceMoeLayer(model, 0);
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                .withPlacement(PlanSource.packed().withFile(plan))
                // a slow restart on a busy 2-core machine must not turn into expired chunks: that is another test's
                // guarantee (FaultsIT); here every chunk must be answered
                .withExtraProperties(Map.of("gateway:moe.gateway.chunk-deadline", "90s")), System.out::println);
        supervisor = new SupervisorThread(stack, RestartPolicy.DEFAULT);
        faultFreeSeconds = MidStreamKill.faultFreeSeconds(stack.gatewayAddress(),
                PipelineFixtures.randomTokens(TOKENS, D_MODEL, 99), CHUNK_ROWS);
    }

    @AfterAll
    void stopStack() throws Exception {
        try {
            if (supervisor != null) {
                supervisor.close();
            }
            if (stack != null) {
                stack.copyLogsTo(PipelineFixtures.logDir("SupervisionIT"));
                stack.close();
            }
        } finally {
            if (reference != null) {
                reference.close();
                model.close();
            }
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theOnlyProcessOfAnExpertGroupKilledIsRestartedAndTheStreamCompletes() throws Exception {
        killMidStreamAndRecover("expert-a", "(a) the only process of an expert group", 1);
    }

    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void oneOfTwoReplicasKilledIsRestartedAndTheStreamCompletes() throws Exception {
        killMidStreamAndRecover("expert-b-r0", "(b) one of two replicas of an expert group", 2);
    }

    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theRouterKilledIsRestartedAndTheStreamCompletes() throws Exception {
        killMidStreamAndRecover("router", "(c) the router", 3);
    }

    @Test
    @Order(4)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCrashLoopPastTheLimitStopsTheStackNamingTheProcess() throws Exception {
        // given a policy of one restart in 10 minutes
        supervisor.use(new RestartPolicy(1, Duration.ofMinutes(10), Duration.ofSeconds(1)));

        // when the gateway is killed, restarted, and killed again
        long firstPid = kill("gateway");
        awaitRestarted("gateway", firstPid);
        kill("gateway");

        // then the supervisor gives up and says which process and why
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (supervisor.fatal() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(supervisor.fatal()).as("the reason to stop").isNotNull()
                .startsWith("gateway exited (signal 9) after 1 restarts in 10 min: a crash loop, stopping the stack");
        assertThat(supervisor.lines()).contains("gateway exited (signal 9); restarting (1st restart in 10 min)");
    }

    private void killMidStreamAndRecover(String victim, String scenario, int seed) throws Exception {
        Matrix x = PipelineFixtures.randomTokens(TOKENS, D_MODEL, seed);
        long[] pid = new long[1];
        // when the process is killed (SIGKILL) mid-stream and nothing but the supervisor acts
        MidStreamKill.Outcome outcome = MidStreamKill.run(stack.gatewayAddress(), "supervised-" + seed, x, CHUNK_ROWS,
                faultFreeSeconds, () -> pid[0] = kill(victim));

        // then every chunk is answered once, in order, equal to the reference layer
        outcome.assertAllAnsweredOnce(x, reference);
        System.out.println(outcome.line(scenario));
        // and the supervisor restarted the process under its name, and said so
        awaitRestarted(victim, pid[0]);
        assertThat(supervisor.lines()).anySatisfy(line -> assertThat(line)
                .startsWith(victim + " exited (signal 9); restarting (1st restart in 10 min)"));
    }

    private long kill(String name) throws InterruptedException {
        ChildProcess process = running(name);
        process.kill();
        System.out.println("killed " + name + " (pid " + process.pid() + ")");
        return process.pid();
    }

    private void awaitRestarted(String name, long oldPid) throws InterruptedException {
        long deadline = System.nanoTime() + STREAM_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (stack.processes().stream().anyMatch(p -> p.name().equals(name) && p.isAlive() && p.pid() != oldPid)
                    && supervisor.lines().stream().anyMatch(line -> line.startsWith(name + " is back"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " was not restarted; supervisor said: " + supervisor.lines());
    }

    private ChildProcess running(String name) {
        return stack.processes().stream().filter(p -> p.name().equals(name) && p.isAlive()).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no running process " + name));
    }
}
