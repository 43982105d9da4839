package io.moestream.router.routing;

import static io.moestream.router.testing.Chunks.gateWeights;
import static io.moestream.router.testing.Chunks.tokenChunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.kernel.GateScorer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.routing.ConfiguredRouting;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.routing.RouterSpec;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.routing.RoutingOptions.Overflow;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.GateWeightTarget;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import io.moestream.router.routing.RouteOutcome.Rejected;
import io.moestream.router.routing.RouteOutcome.Routed;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkRouterTest {
    private static final String REPLY = "moe.replies.gw";
    // gate [3 experts, d_model 3] = identity: expert e's logit is x[e], so expectations follow by hand
    private static final Matrix IDENTITY_GATE = new Matrix(3, 3, new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});

    @Test
    void shouldSendEachRowToTheExpertWithTheHighestLogitUnderTopOne() throws Exception {
        // given
        ChunkRouter router = router(Topics.DEFAULT, 1);
        Matrix x = new Matrix(3, 3, new float[] {5, 0, 0, 0, 0, 5, 4, 1, 0});

        // when
        Routed routed = (Routed) router.route(tokenChunk("r", 2, 0, x), REPLY);

        // then: rows 0 and 2 go to expert 0, row 1 to expert 2, each with weight 1
        List<AddressedRecord> records = routed.records();
        assertThat(records).extracting(AddressedRecord::topic).containsExactly(REPLY, "moe.L0.e0", "moe.L0.e2");
        RouteManifest manifest = Reply.parseFrom(records.get(0).payload()).getManifest();
        assertThat(manifest.getExpertsList()).containsExactly(0, 2);
        assertThat(manifest.getRows()).isEqualTo(3);
        ExpertTask first = ExpertTask.parseFrom(records.get(1).payload());
        assertThat(first.getRowIndexList()).containsExactly(0, 2);
        assertThat(gateWeights(first)).containsExactly(1f, 1f);
        assertThat(first.getRows().getRows()).isEqualTo(2);
        ExpertTask second = ExpertTask.parseFrom(records.get(2).payload());
        assertThat(second.getExpert()).isEqualTo(2);
        assertThat(second.getRowIndexList()).containsExactly(1);
        assertThat(first.getGateWeightTarget()).isEqualTo(GateWeightTarget.GATE_WEIGHTS_ON_OUTPUT);
    }

    @Test
    void shouldTellTheExpertsOfALlama4LayerToWeighTheirInputsWithTheSigmoidScores() throws Exception {
        // given a Llama-4 router (top-1 logit, sigmoid score, weights on the expert's input) with a router bias-free gate
        LayerRouter llama4 = new LayerRouter(new GateScorer(IDENTITY_GATE),
                new TopKRouting(RouterSpec.sigmoidOfTopK(1), null), Optional.empty(), GateWeighting.INPUT);
        ChunkRouter router = new ChunkRouter(Topics.DEFAULT, Map.of(0, llama4), new ChunkLimits(3, 4), DType.FP32);
        Matrix x = new Matrix(1, 3, new float[] {0, 2, 1});

        // when
        Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, x), REPLY);

        // then expert 1's task carries sigmoid(2), to apply to its input
        ExpertTask task = ExpertTask.parseFrom(routed.records().get(1).payload());
        assertThat(task.getExpert()).isEqualTo(1);
        assertThat(task.getGateWeightTarget()).isEqualTo(GateWeightTarget.GATE_WEIGHTS_ON_INPUT);
        assertThat(gateWeights(task)[0]).isCloseTo((float) (1 / (1 + Math.exp(-2))), within(1e-7f));
    }

    @Test
    void shouldAddTheRouterBiasOfGptOssBeforeChoosing() throws Exception {
        // given a GPT-OSS router whose bias lifts expert 2 above expert 0
        LayerRouter gptOss = new LayerRouter(new GateScorer(IDENTITY_GATE, new float[] {0f, 0f, 3f}),
                new TopKRouting(RouterSpec.softmaxOfTopK(1), null), Optional.empty());
        ChunkRouter router = new ChunkRouter(Topics.DEFAULT, Map.of(0, gptOss), new ChunkLimits(3, 4), DType.FP32);

        // when x would pick expert 0 without the bias
        Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, new Matrix(1, 3, new float[] {2, 0, 0})), REPLY);

        // then expert 2 gets it, weight 1 (the softmax over one logit)
        ExpertTask task = ExpertTask.parseFrom(routed.records().get(1).payload());
        assertThat(task.getExpert()).isEqualTo(2);
        assertThat(gateWeights(task)).containsExactly(1f);
    }

    @Test
    void shouldRenormalizeTheTopTwoSoftmaxWeights() throws Exception {
        // given: logits [2, 1, 0]; top-2 keeps experts 0 and 1 with e^2 : e^1, renormalized
        ChunkRouter router = router(Topics.DEFAULT, 2);
        Matrix x = new Matrix(1, 3, new float[] {2, 1, 0});
        float w0 = (float) (1 / (1 + Math.exp(-1)));

        // when
        Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, x), REPLY);

        // then
        ExpertTask e0 = ExpertTask.parseFrom(routed.records().get(1).payload());
        ExpertTask e1 = ExpertTask.parseFrom(routed.records().get(2).payload());
        assertThat(gateWeights(e0)[0]).isCloseTo(w0, within(1e-6f));
        assertThat(gateWeights(e1)[0]).isCloseTo(1 - w0, within(1e-6f));
    }

    @Test
    void shouldReportDroppedAssignmentsInTheManifestAndTheMetrics() throws Exception {
        // given top-1 with capacity factor 1 over 3 experts: 4 rows give C = ceil(4 / 3) = 2, and all 4 rows want expert 0
        ConfiguredRouting capacity = new ConfiguredRouting(TopKRouting.mixtral(1),
                RoutingOptions.NONE.withCapacity(1, Overflow.DROP));
        ChunkRouter router = new ChunkRouter(Topics.DEFAULT,
                Map.of(0, new LayerRouter(new GateScorer(IDENTITY_GATE), capacity, Optional.empty())), new ChunkLimits(3, 4),
                DType.FP32);
        Matrix x = new Matrix(4, 3, new float[] {5, 0, 0, 4, 1, 0, 3, 0, 1, 6, 0, 0});
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RoutingMetrics metrics = new RoutingMetrics(registry);

        // when
        Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, x), REPLY);
        metrics.chunkRouted(routed.stats(), routed.load());

        // then expert 0 takes rows 0 and 1; rows 2 and 3 lose their only expert, which the manifest and metrics say
        RouteManifest manifest = Reply.parseFrom(routed.records().get(0).payload()).getManifest();
        assertThat(manifest.getExpertsList()).containsExactly(0);
        assertThat(ExpertTask.parseFrom(routed.records().get(1).payload()).getRowIndexList()).containsExactly(0, 1);
        assertThat(manifest.getRequestedAssignments()).isEqualTo(4);
        assertThat(manifest.getDroppedAssignments()).isEqualTo(2);
        assertThat(manifest.getSkippedAssignments()).isZero();
        assertThat(manifest.getReroutedAssignments()).isZero();
        assertThat(registry.get("moe.router.assignments").tag("outcome", "dropped").counter().count()).isEqualTo(2);
        assertThat(registry.get("moe.router.assignments").tag("outcome", "requested").counter().count()).isEqualTo(4);
        // and the load counts only the two rows expert 0 kept
        assertThat(routed.load().tokens()).containsExactly(2, 0, 0);
        assertThat(registry.get("moe.router.expert.tokens").tag("layer", "0").tag("expert", "0").counter().count())
                .isEqualTo(2);
    }

    @Test
    void shouldSendTheRowsOfAnFp32ChunkInTheWireDtypeAndThoseOfA16BitChunkInItsOwn() throws Exception {
        // given a router whose wire dtype is bf16, and rows that bf16 and fp16 both round (1 + 2^-9 has 10 bits)
        ChunkRouter router = new ChunkRouter(Topics.DEFAULT, Map.of(0, mixtral(IDENTITY_GATE, 1)), new ChunkLimits(3, 4),
                DType.BF16);
        Matrix x = new Matrix(1, 3, new float[] {5 + 0x1p-7f, 1 + 0x1p-9f, 0});

        for (DType sent : List.of(DType.FP32, DType.FP16, DType.BF16)) {
            // when
            Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, x, sent), REPLY);

            // then an fp32 chunk's rows go as bf16; a 16-bit chunk's rows go in its own dtype, exactly as they came
            Tensor rows = ExpertTask.parseFrom(routed.records().get(1).payload()).getRows();
            DType expected = sent == DType.FP32 ? DType.BF16 : sent;
            assertThat(rows.getDtype()).as("rows of a %s chunk", sent).isEqualTo(expected);
            assertThat(rows.getData()).isEqualTo(TensorMessages.toProto(x, expected).getData());
        }
    }

    @Test
    void shouldNameExpertTopicsWithTheConfiguredPrefix() {
        // given
        ChunkRouter router = router(new Topics("shadow."), 1);

        // when
        Routed routed = (Routed) router.route(tokenChunk("r", 0, 0, new Matrix(1, 3, new float[] {0, 9, 0})),
                "shadow." + REPLY);

        // then
        assertThat(routed.records()).extracting(AddressedRecord::topic)
                .containsExactly("shadow." + REPLY, "shadow.moe.L0.e1");
    }

    @Test
    void shouldRejectWhatItCannotRouteWithAReasonNamingTheProblem() {
        ChunkRouter router = router(Topics.DEFAULT, 1);
        Matrix x = new Matrix(1, 3, new float[] {1, 2, 3});
        byte[] noHidden = TokenChunk.newBuilder().setRequestId("r").build().toByteArray();
        byte[] noRequestId = tokenChunk("", 0, 0, x);

        assertThat(reason(router.route(null, REPLY))).contains("no value");
        assertThat(reason(router.route(tokenChunk("r", 0, 0, x), " "))).contains("missing header moe-reply-to");
        assertThat(reason(router.route(tokenChunk("r", 0, 0, x), "moe.tokens")))
                .contains("header moe-reply-to is 'moe.tokens', not a reply topic (moe.replies.{gateway})");
        assertThat(reason(router.route(tokenChunk("r", 0, 0, x), "moe.replies.a b"))).contains("not a reply topic");
        assertThat(reason(router.route(noHidden, REPLY))).contains("no hidden tensor");
        assertThat(reason(router.route(noRequestId, REPLY))).contains("no request_id");
        assertThat(reason(router.route(tokenChunk("r", 0, 1, x), REPLY))).contains("layer 1 is not a served MoE layer", "[0]");
        assertThat(reason(router.route(tokenChunk("r", 0, 0, new Matrix(5, 3, new float[15])), REPLY)))
                .contains("maximum is 4");
    }

    @Test
    void shouldRejectAChunkWhoseLogitsOverflow() {
        // given: finite inputs whose dot product with the gate overflows float
        Matrix gate = new Matrix(3, 3, new float[] {Float.MAX_VALUE, Float.MAX_VALUE, 0, 0, 0, 1, 0, 1, 0});
        ChunkRouter router = new ChunkRouter(Topics.DEFAULT, Map.of(0, mixtral(gate, 1)),
                new ChunkLimits(3, 4), DType.FP32);

        // when
        RouteOutcome outcome = router.route(tokenChunk("r", 0, 0, new Matrix(1, 3, new float[] {4, 4, 0})), REPLY);

        // then
        assertThat(reason(outcome)).contains("overflow");
    }

    @Test
    void shouldKeepTheOriginalBytesOfARejectedChunk() throws InvalidProtocolBufferException {
        byte[] chunk = tokenChunk("r", 0, 5, new Matrix(1, 3, new float[] {1, 2, 3}));

        Rejected rejected = (Rejected) router(Topics.DEFAULT, 1).route(chunk, REPLY);

        assertThat(rejected.chunk()).isEqualTo(chunk);
        assertThat(TokenChunk.parseFrom(rejected.chunk()).getLayer()).isEqualTo(5);
    }

    private static ChunkRouter router(Topics topics, int topK) {
        return new ChunkRouter(topics, Map.of(0, mixtral(IDENTITY_GATE, topK)), new ChunkLimits(3, 4), DType.FP32);
    }

    private static String reason(RouteOutcome outcome) {
        assertThat(outcome).isInstanceOf(Rejected.class);
        return ((Rejected) outcome).reason();
    }

    private static LayerRouter mixtral(Matrix gate, int topK) {
        return new LayerRouter(new GateScorer(gate), TopKRouting.mixtral(topK), Optional.empty());
    }
}
