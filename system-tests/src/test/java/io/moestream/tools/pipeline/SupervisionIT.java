package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.placement.PlanSource;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.RestartPolicy;
import io.moestream.tools.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    private SupervisedStack fixture;

    @BeforeAll
    void startStack() throws Exception {
        fixture = SupervisedStack.start("SupervisionIT", 41, modelDir -> {
            Path plan = modelDir.resolve("placement.json");
            try {
                Files.writeString(plan, "{\"groups\": [{\"name\": \"a\", \"experts\": \"0:0-1\"},"
                        + " {\"name\": \"b\", \"experts\": \"0:2-3\", \"replicas\": 2, \"partitions\": 2}]}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return StackOptions.forModel(modelDir).withPlacement(PlanSource.packed().withFile(plan));
        });
    }

    @AfterAll
    void stopStack() throws Exception {
        if (fixture != null) {
            fixture.close();
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
        SupervisorThread supervisor = fixture.supervisor();
        // given a policy of one restart in 10 minutes
        supervisor.use(new RestartPolicy(1, Duration.ofMinutes(10), Duration.ofSeconds(1)));

        // when the gateway is killed, restarted, and killed again
        long firstPid = kill("gateway");
        awaitRestarted("gateway", firstPid);
        kill("gateway");

        // then the supervisor gives up and says which process and why
        await("the supervisor gives up").atMost(Duration.ofMinutes(1)).until(() -> supervisor.fatal() != null);
        assertThat(supervisor.fatal()).as("the reason to stop").isNotNull()
                .startsWith("gateway exited (signal 9) after 1 restarts in 10 min: a crash loop, stopping the stack");
        assertThat(supervisor.lines()).contains("gateway exited (signal 9); restarting (1st restart in 10 min)");
    }

    private void killMidStreamAndRecover(String victim, String scenario, int seed) throws Exception {
        Matrix x = Matrix.gaussian(SupervisedStack.TOKENS, SupervisedStack.D_MODEL, seed);
        long[] pid = new long[1];
        // when the process is killed (SIGKILL) mid-stream and nothing but the supervisor acts
        MidStreamKill.Outcome outcome = MidStreamKill.run(fixture.stack().gatewayAddress(), "supervised-" + seed, x,
                SupervisedStack.CHUNK_ROWS, fixture.faultFreeSeconds(), () -> pid[0] = kill(victim));

        // then every chunk is answered once, in order, equal to the reference layer
        outcome.assertAllAnsweredOnce(x, fixture.reference());
        System.out.println(outcome.line(scenario));
        // and the supervisor restarted the process under its name, and said so
        awaitRestarted(victim, pid[0]);
        assertThat(fixture.supervisor().lines()).anySatisfy(line -> assertThat(line)
                .startsWith(victim + " exited (signal 9); restarting (1st restart in 10 min)"));
    }

    private long kill(String name) throws InterruptedException {
        ChildProcess process = fixture.stack().processes().stream().filter(p -> p.name().equals(name) && p.isAlive())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no running process " + name));
        process.kill();
        System.out.println("killed " + name + " (pid " + process.pid() + ")");
        return process.pid();
    }

    private void awaitRestarted(String name, long oldPid) {
        await(name + " restarted (supervisor: " + fixture.supervisor().lines() + ")").atMost(MidStreamKill.STREAM_WAIT)
                .until(() -> fixture.stack().processes().stream()
                        .anyMatch(p -> p.name().equals(name) && p.isAlive() && p.pid() != oldPid)
                        && fixture.supervisor().lines().stream().anyMatch(line -> line.startsWith(name + " is back")));
    }
}
