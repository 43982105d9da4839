package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.Reply;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.testsupport.TopicRecords;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Crashes, restarts, a paused broker and overload, each on the real pipeline (an embedded KRaft broker, the router,
 * one expert process and the gateway as separate processes), one after the other on one stack to keep the suite
 * short. Each test fails if its invariant breaks: every chunk of a stream is answered exactly once and equals the
 * reference layer, or the stream ends with the status the guarantee names, in time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    static final int D_MODEL = 32;
    static final int CHUNK_ROWS = 20;
    static final Duration STREAM_WAIT = Duration.ofMinutes(3);
    /** The chunk deadline of the stack's first gateway: the product default. */
    static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The gateway started in place of the first one: a short deadline (broker pause) and a small token cap (overload). */
    static final Duration SHORT_DEADLINE = Duration.ofSeconds(8);
    static final int TOKEN_CAP = 10_000;
    /** The second gateway's chunks per stream, wider than the default (8): six streams of 256-row chunks pass the cap. */
    static final int WINDOW = 32;
    /** The heap of the second gateway: the overload tests must pass within it. */
    static final int GATEWAY_HEAP_MB = 128;
    static final String FIRST_GATEWAY = "faults-a";
    static final String SECOND_GATEWAY = "faults-b";

    private Path modelDir;
    private LocalStack stack;
    private MoeModel model;
    private ReferenceMoeLayer reference;

    @BeforeAll
    void startStack() throws Exception {
        modelDir = Files.createTempDirectory("faults-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 48, 31));
        model = MoeModel.open(modelDir);
        reference = new ReferenceMoeLayer(model, 0);
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir).withExtraProperties(Map.of(
                "gateway:moe.gateway.instance-id", FIRST_GATEWAY,
                // the router commits its input offsets only every minute, so a crashed router replays every chunk
                // it routed before: the replayed tasks and manifests must all be dropped as duplicates at the gateway
                "router-service:kafka-streams.commit.interval.ms", "60000")), System.out::println);
    }

    @AfterAll
    void stopStack() throws Exception {
        PipelineFixtures.stop("FaultsIT", stack, reference, model, modelDir);
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void routerKilledMidStreamAndRestartedLosesNoChunkAndItsReplaysAreDropped() throws Exception {
        Matrix x = Matrix.gaussian(8000, D_MODEL, 1);
        long ignoredBefore = repliesIgnored();
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "router-crash", x, CHUNK_ROWS)) {
            assertThat(stream.awaitResults(20, STREAM_WAIT)).as("stream under way before the crash").isTrue();

            // when the router is killed (SIGKILL) mid-stream and started again
            crashAndRestart("router", "router-service", Map.of());

            // then every chunk is answered once, in order, equal to the reference layer
            StreamProbe.Ending ending = stream.awaitEnd(STREAM_WAIT);
            assertAllAnsweredExactly(ending, x);
            long ignored = repliesIgnored() - ignoredBefore;
            System.out.println("router crash: " + stream.chunkCount() + " chunks answered once each; " + ignored
                    + " replayed replies dropped at the gateway");
            assertThat(ignored).as("the restarted router replays what it had not committed").isPositive();
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void onlyExpertProcessKilledAndRestartedWithinTheDeadlineAnswersEveryChunk() throws Exception {
        Matrix x = Matrix.gaussian(8000, D_MODEL, 2);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "expert-crash", x, CHUNK_ROWS)) {
            assertThat(stream.awaitResults(20, STREAM_WAIT)).as("stream under way before the crash").isTrue();

            // when the only expert process is killed mid-stream and restarted under its name (its static membership)
            long downFor = crashAndRestart("expert-0", "expert-service", Map.of());
            assertThat(Duration.ofNanos(downFor)).as("the restart must fit in the chunk deadline for this test to mean anything")
                    .isLessThan(DEADLINE);

            // then the chunks that waited for it are answered once each, and the outputs equal the reference
            assertAllAnsweredExactly(stream.awaitEnd(STREAM_WAIT), x);
            // and the restarted process's consumers are in its expert group as the same static members
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(Topics.DEFAULT.expertGroup("0")))
                        .all().get().get(Topics.DEFAULT.expertGroup("0"));
                assertThat(group.members()).extracting(member -> member.groupInstanceId().orElse("dynamic"))
                        .allSatisfy(id -> assertThat(id).startsWith("moe-stack-").contains("-expert-0-c"))
                        .hasSize(2);
            }
            System.out.println("expert crash: down for " + downFor / 1_000_000 + " ms, " + stream.chunkCount()
                    + " chunks answered once each");
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void gatewayRestartEndsItsStreamsWithUnavailableAndLeaksNothingIntoTheNextInstance() throws Exception {
        Matrix x = Matrix.gaussian(8000, D_MODEL, 3);
        String port = stack.gatewayAddress().substring(stack.gatewayAddress().lastIndexOf(':') + 1);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "before-restart", x, CHUNK_ROWS)) {
            assertThat(stream.awaitResults(20, STREAM_WAIT)).isTrue();

            // when the gateway is stopped (SIGTERM, as a rolling restart does)
            long stopping = System.nanoTime();
            process("gateway").close();

            // then its open stream ends at once with UNAVAILABLE, the chunks answered before it correct
            StreamProbe.Ending ending = stream.awaitEnd(DEADLINE);
            assertThat(ending.status().getCode()).as(ending.status().toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(ending.status().getDescription()).contains("gateway " + FIRST_GATEWAY + " is shutting down");
            assertThat(Duration.ofNanos(ending.endNanos() - stopping)).isLessThan(DEADLINE);
            assertAnsweredPrefixIsCorrect(ending, x);
            System.out.println("gateway stop: stream ended " + (ending.endNanos() - stopping) / 1_000_000 + " ms after"
                    + " SIGTERM with " + ending.status() + " after " + ending.results().size() + " chunks");
        }

        // and a new instance (its own reply topic) serves a new stream with nothing of the old one in it
        stack.startService("gateway", "gateway", Map.of("moe.gateway.instance-id", SECOND_GATEWAY,
                "quarkus.grpc.server.port", port, "moe.gateway.chunk-deadline", SHORT_DEADLINE.toSeconds() + "s",
                "moe.gateway.max-in-flight-tokens", Integer.toString(TOKEN_CAP),
                "moe.gateway.max-in-flight-chunks", Integer.toString(WINDOW)), List.of("-Xmx" + GATEWAY_HEAP_MB + "m"));
        Matrix y = Matrix.gaussian(2000, D_MODEL, 4);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "after-restart", y, CHUNK_ROWS)) {
            assertAllAnsweredExactly(stream.awaitEnd(STREAM_WAIT), y);
        }
        List<String> oldTopic = replyRequestIds("moe.replies." + FIRST_GATEWAY);
        List<String> newTopic = replyRequestIds("moe.replies." + SECOND_GATEWAY);
        assertThat(newTopic).as("replies on the new instance's topic").contains("after-restart")
                .doesNotContain("before-restart");
        assertThat(oldTopic).as("replies of the stopped instance's chunks stay on its own topic").contains("before-restart")
                .doesNotContain("after-restart");
    }

    @Test
    @Order(4)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void fastClientIsHeldBackByFlowControlAndTheGatewayKeepsAtMostItsWindowPending() throws Exception {
        // given one stream far larger than the gateway lets in at once (its window) plus what the transport buffers
        // (HTTP/2 window, 1 MiB): 400 chunks of 64 rows, 3.2 MB
        Matrix x = Matrix.gaussian(400 * 64, D_MODEL, 5);
        AtomicBoolean running = new AtomicBoolean(true);
        CompletableFuture<double[]> peaks = CompletableFuture.supplyAsync(() -> peakGauges(running,
                "moe_gateway_chunks_in_flight", "moe_gateway_tokens_in_flight"));
        StreamProbe.Ending ending;
        int heldBack;
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "fast-client", x, 64)) {
            ending = stream.awaitEnd(STREAM_WAIT);
            heldBack = stream.heldBack();
        } finally {
            running.set(false);
        }
        double[] peak = peaks.get(1, TimeUnit.MINUTES);
        System.out.printf("flow control: client held back %d times; peak %.0f chunks, %.0f tokens in flight at the gateway%n",
                heldBack, peak[0], peak[1]);

        // then all of it is answered, the client waited for the transport, and the gateway never held more than its window
        assertAllAnsweredExactly(ending, x);
        assertThat(heldBack).as("times the transport held the client back").isPositive();
        assertThat(peak[0]).isLessThanOrEqualTo(WINDOW);
        assertThat(peak[1]).isLessThanOrEqualTo(WINDOW * 64);
    }

    @Test
    @Order(5)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void overloadIsRefusedWithResourceExhaustedAndInFlightTokensStayUnderTheCap() throws Exception {
        // given more streams at once than the gateway's token cap admits: 6 streams x WINDOW chunks x 256 rows in flight
        int streams = 6;
        int rows = 40 * 256;
        AtomicBoolean running = new AtomicBoolean(true);
        CompletableFuture<double[]> peaks = CompletableFuture.supplyAsync(() -> peakGauges(running,
                "moe_gateway_tokens_in_flight", "moe_gateway_chunks_in_flight"));
        long refusedBefore = (long) gatewayMetrics().value("moe_gateway_chunks_refused_total", Map.of());
        List<Matrix> inputs = new ArrayList<>();
        List<StreamProbe> probes = new ArrayList<>();
        List<StreamProbe.Ending> endings = new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                inputs.add(Matrix.gaussian(rows, D_MODEL, 10 + i));
                probes.add(StreamProbe.start(stack.gatewayAddress(), "overload-" + i, inputs.get(i), 256));
            }
            for (StreamProbe probe : probes) {
                endings.add(probe.awaitEnd(STREAM_WAIT));
            }
        } finally {
            running.set(false);
            probes.forEach(StreamProbe::close);
        }
        double[] peak = peaks.get(1, TimeUnit.MINUTES);
        PrometheusScrape metrics = gatewayMetrics();
        long refused = (long) metrics.value("moe_gateway_chunks_refused_total", Map.of()) - refusedBefore;

        // then each stream is answered in full or refused with RESOURCE_EXHAUSTED naming the cap, what was answered
        // is correct, and the tokens in flight never passed the cap and are all released
        int ok = 0;
        for (int i = 0; i < streams; i++) {
            StreamProbe.Ending ending = endings.get(i);
            if (ending.status().isOk()) {
                assertAllAnsweredExactly(ending, inputs.get(i));
                ok++;
            } else {
                assertThat(ending.status().getCode()).as(ending.status().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(ending.status().getDescription()).contains("cap of " + TOKEN_CAP + " tokens in flight")
                        .contains("moe.gateway.max-in-flight-tokens");
                assertAnsweredPrefixIsCorrect(ending, inputs.get(i));
            }
        }
        System.out.printf("overload: %d streams, %d answered in full, %d refused with RESOURCE_EXHAUSTED; peak %.0f tokens"
                + " (cap %d), %.0f chunks in flight%n", streams, ok, streams - ok, peak[0], TOKEN_CAP, peak[1]);
        assertThat(refused).as("RESOURCE_EXHAUSTED answers").isEqualTo(streams - ok).isPositive();
        assertThat(peak[0]).isLessThanOrEqualTo(TOKEN_CAP);
        assertThat(metrics.value("moe_gateway_tokens_in_flight", Map.of())).isZero();

        // and the gateway serves normally once the burst is over
        Matrix y = Matrix.gaussian(1000, D_MODEL, 20);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "after-overload", y, CHUNK_ROWS)) {
            assertAllAnsweredExactly(stream.awaitEnd(STREAM_WAIT), y);
        }
    }

    @Test
    @Order(6)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aFloodOfManyTimesTheGatewaysHeapIsRefusedWithoutRunningItOutOfMemory() throws Exception {
        // given the router stopped (SIGSTOP), so that the little the gateway admits stays pending and the cap stays full
        ChildProcess router = process("router");
        InferChunk large = GatewayClient.chunk("flood", 0, Matrix.gaussian(4096, D_MODEL, 40), 4096,
                DType.FP32).get(0);
        long floodBytes = 8L * GATEWAY_HEAP_MB * 1024 * 1024;
        int chunks = (int) (floodBytes / large.getSerializedSize()) + 1;
        AtomicInteger next = new AtomicInteger();
        Map<Status.Code, AtomicInteger> endings = new ConcurrentHashMap<>();
        long refusedBefore = (long) gatewayMetrics().value("moe_gateway_chunks_refused_total", Map.of());
        long start = System.nanoTime();
        signal(router, "STOP");
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            // when 8 times its heap in chunks of 4096 rows is pushed at it, each in a stream of its own, 4 at a time
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int n = next.getAndIncrement(); n < chunks; n = next.getAndIncrement()) {
                        InferChunk chunk = large.toBuilder().setRequestId("flood-" + n).build();
                        try {
                            Status.Code code = client.send(List.of(chunk), DEADLINE).status().getCode();
                            endings.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException("flood stream " + n, e);
                        }
                    }
                }));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
        } finally {
            signal(router, "CONT");
        }
        long resumed = System.nanoTime();
        long tookMs = (resumed - start) / 1_000_000;
        PrometheusScrape metrics = gatewayMetrics();
        long refused = (long) metrics.value("moe_gateway_chunks_refused_total", Map.of()) - refusedBefore;
        System.out.printf("flood: %d chunks of %d bytes (%d MB, %d times the gateway's %d MB heap) in %d ms: %s;"
                        + " heap used after %.0f MB%n", chunks, large.getSerializedSize(),
                (long) chunks * large.getSerializedSize() >> 20, (long) chunks * large.getSerializedSize()
                        / (GATEWAY_HEAP_MB * 1024L * 1024), GATEWAY_HEAP_MB, tookMs, endings,
                metrics.value("jvm_memory_used_bytes", Map.of("area", "heap")) / (1024 * 1024));

        // then the gateway is alive and never ran out of memory, refused almost all of it with RESOURCE_EXHAUSTED
        // (what it admitted could only wait for the stopped router: DEADLINE_EXCEEDED), and holds nothing afterwards
        assertThat(process("gateway").isAlive()).isTrue();
        assertThat(Files.readString(process("gateway").log())).doesNotContain("OutOfMemoryError");
        assertThat(endings.keySet()).isSubsetOf(Status.Code.RESOURCE_EXHAUSTED, Status.Code.DEADLINE_EXCEEDED);
        assertThat(refused).isEqualTo(endings.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, new AtomicInteger()).get())
                .isGreaterThan(chunks * 9L / 10);
        assertThat(metrics.value("moe_gateway_tokens_in_flight", Map.of())).isZero();

        // and it serves a valid request once the router is back
        awaitServingAgain("after-flood", resumed);
    }

    @Test
    @Order(7)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void brokerPausedPastTheTimeoutsEndsStreamsInTimeAndThePipelineServesAgain() throws Exception {
        Matrix x = Matrix.gaussian(8000, D_MODEL, 6);
        ChildProcess broker = stack.processes().get(0);
        Duration pause = SHORT_DEADLINE.plusSeconds(7);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "broker-pause", x, CHUNK_ROWS)) {
            assertThat(stream.awaitResults(20, STREAM_WAIT)).isTrue();

            // when the broker stops answering (SIGSTOP) for longer than the chunk deadline and the session timeouts
            long paused = System.nanoTime();
            signal(broker, "STOP");
            StreamProbe.Ending ending;
            try {
                ending = stream.awaitEnd(pause);
            } finally {
                Thread.sleep(Math.max(0, pause.toMillis() - (System.nanoTime() - paused) / 1_000_000));
                signal(broker, "CONT");
            }

            // then the stream in flight ended within its deadline (plus the sweep period) with a status, not hung
            long endedAfter = ending.endNanos() - paused;
            System.out.println("broker pause: stream ended " + endedAfter / 1_000_000 + " ms into the pause with "
                    + ending.status() + " after " + ending.results().size() + " chunks");
            assertThat(ending.status().getCode()).as(ending.status().toString())
                    .isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.UNAVAILABLE);
            assertThat(Duration.ofNanos(endedAfter)).isLessThan(SHORT_DEADLINE.plusSeconds(3));
            assertAnsweredPrefixIsCorrect(ending, x);
        }

        // and once the broker is back the pipeline answers again (after its clients reconnect and groups settle)
        awaitServingAgain("after-pause", System.nanoTime());
    }

    /**
     * Sends a valid stream until one is answered in full and equal to the reference (clients reconnect and groups
     * settle after a pause first), within 2 minutes of {@code since}.
     */
    private void awaitServingAgain(String label, long since) throws Exception {
        Matrix y = Matrix.gaussian(1000, D_MODEL, 7);
        for (int attempt = 1; ; attempt++) {
            try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), label + "-" + attempt, y, CHUNK_ROWS)) {
                StreamProbe.Ending ending = stream.awaitEnd(STREAM_WAIT);
                if (ending.status().isOk()) {
                    assertAllAnsweredExactly(ending, y);
                    System.out.println(label + ": serving again " + (System.nanoTime() - since) / 1_000_000
                            + " ms after the resume (attempt " + attempt + ")");
                    return;
                }
                assertThat(Duration.ofNanos(System.nanoTime() - since)).as(label + ": serving again: " + ending.status())
                        .isLessThan(Duration.ofMinutes(2));
            }
        }
    }

    @Test
    @Order(8)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void gatewayKilledMidStreamEndsItsStreamWithUnavailable() throws Exception {
        Matrix x = Matrix.gaussian(8000, D_MODEL, 8);
        try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "gateway-crash", x, CHUNK_ROWS)) {
            assertThat(stream.awaitResults(20, STREAM_WAIT)).isTrue();

            // when the gateway process is killed (SIGKILL): nothing of it can answer any more
            long killed = System.nanoTime();
            process("gateway").kill();

            // then the client's stream ends with UNAVAILABLE (the connection is gone) rather than waiting on
            StreamProbe.Ending ending = stream.awaitEnd(DEADLINE);
            System.out.println("gateway crash: stream ended " + (ending.endNanos() - killed) / 1_000_000
                    + " ms after SIGKILL with " + ending.status() + " after " + ending.results().size() + " chunks");
            assertThat(ending.status().getCode()).as(ending.status().toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertAnsweredPrefixIsCorrect(ending, x);
        }
    }

    /** SIGKILLs the service and starts it again under the same name; returns the nanoseconds it was down. */
    private long crashAndRestart(String name, String module, Map<String, String> properties) throws Exception {
        ChildProcess process = process(name);
        long killed = System.nanoTime();
        process.kill();
        System.out.println("killed " + name + " (pid " + process.pid() + ") mid-stream");
        stack.startService(name, module, properties);
        long down = System.nanoTime() - killed;
        System.out.println(name + " ready again " + down / 1_000_000 + " ms after the kill");
        return down;
    }

    private ChildProcess process(String name) {
        return stack.processes().stream().filter(p -> p.name().equals(name) && p.isAlive()).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no running process " + name));
    }

    private void assertAllAnsweredExactly(StreamProbe.Ending ending, Matrix x) {
        assertThat(ending.status().isOk()).as(ending.status().toString()).isTrue();
        Matrix y = StreamProbe.answeredRows(ending, D_MODEL);
        assertThat(y.rows()).as("rows answered").isEqualTo(x.rows());
        assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
    }

    /** The chunks answered before a stream failed are the first ones, once each, and equal to the reference. */
    private void assertAnsweredPrefixIsCorrect(StreamProbe.Ending ending, Matrix x) {
        Matrix y = StreamProbe.answeredRows(ending, D_MODEL);
        if (y.rows() == 0) {
            return;
        }
        float[] head = new float[y.rows() * D_MODEL];
        System.arraycopy(x.data(), 0, head, 0, head.length);
        Matrix expected = reference.forward(new Matrix(y.rows(), D_MODEL, head));
        assertThat(ErrorStats.compare(y, expected).maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
    }

    private long repliesIgnored() throws Exception {
        PrometheusScrape metrics = gatewayMetrics();
        return (long) (metrics.value("moe_gateway_replies_ignored_total", Map.of("reason", "duplicate"))
                + metrics.value("moe_gateway_replies_ignored_total", Map.of("reason", "unknown_chunk")));
    }

    /** The request ids of every record on a reply topic, from its start to its current end. */
    private List<String> replyRequestIds(String topic) throws Exception {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : TopicRecords.toEnd(TopicRecords.plain(stack.bootstrapServers()),
                List.of(new TopicPartition(topic, 0)), Duration.ofSeconds(60))) {
            Reply reply = Reply.parseFrom(record.value());
            ids.add(StreamRequestIds.clientPart(
                    reply.hasResult() ? reply.getResult().getRequestId() : reply.getManifest().getRequestId()));
        }
        return ids;
    }

    /** Samples the gateway's gauges every 100 ms while {@code running}; returns the highest value of each. */
    private double[] peakGauges(AtomicBoolean running, String... names) {
        double[] peak = new double[names.length];
        while (running.get()) {
            try {
                PrometheusScrape metrics = gatewayMetrics();
                for (int i = 0; i < names.length; i++) {
                    peak[i] = Math.max(peak[i], metrics.value(names[i], Map.of()));
                }
                Thread.sleep(100);
            } catch (Exception e) {
                throw new IllegalStateException("cannot sample the gateway's metrics", e);
            }
        }
        return peak;
    }

    private PrometheusScrape gatewayMetrics() throws Exception {
        return PrometheusScrape.of(stack.httpAddress("gateway"));
    }

    private static void signal(ChildProcess process, String signal) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        assertThat(exit).as("kill -%s %d", signal, process.pid()).isZero();
    }
}
