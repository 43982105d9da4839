package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.routing.RoutingOptions.Mode;
import io.moestream.core.routing.RoutingOptions.Overflow;
import io.moestream.core.routing.RoutingStats;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.StackOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The routing options through the whole path on a real broker: the router started with {@code moe.routing.*}
 * keys (as {@code ./moe up --routing-mode ... --capacity-factor ...} sets them), the in-process reference layer
 * with the same {@link RoutingOptions}, applied chunk by chunk as the router sees the chunks. The outputs must
 * match, and the router's and the gateway's assignment counters must equal what the reference routing dropped,
 * rerouted and skipped. One stack serves every case; each case restarts only its router with its options.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingOptionsIT {
    static final double MAX_REL_ERROR = 1e-4;
    static final int EXPERTS = 8;
    static final int TOP_K = 2;
    static final int D_MODEL = 32;
    static final int TOKENS = 300;
    static final int CHUNK_ROWS = 64;

    /** The stack of every case (its own, not shared with other classes): a broker in this JVM, the model, the processes. */
    private SharedStacks.Stack fixture;

    @BeforeAll
    void startStack() throws Exception {
        fixture = SharedStacks.Stack.start(SharedStacks.Key.of(new ModelSpec(1, EXPERTS, TOP_K, D_MODEL, 64, 31)));
    }

    @AfterAll
    void stopStack() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "mode {0}, capacity factor {1}, overflow {2}, renormalize kept {3}, threshold {4}")
    @CsvSource({
            "FAMILY, 0.75, DROP, false, 0",
            "EXPERT_CHOICE, 1.5, DROP, false, 0",
            "FAMILY, 1.0, REROUTE, true, 0.3"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldMatchTheReferenceRoutedTheSameWay(Mode mode, double capacityFactor, Overflow overflow,
                                                 boolean renormalizeKept, double threshold) throws Exception {
        // given the stack's router restarted with the options (its keys as ./moe up sets them; a clean stop commits
        // what the previous router routed, so this one routes only this case's tokens)
        RoutingOptions options = new RoutingOptions(mode, capacityFactor, overflow, renormalizeKept, threshold);
        LocalStack stack = fixture.stack();
        stack.stopService("router");
        stack.startService("router", "router-service", StackOptions.routerProperties(options));
        Matrix x = Matrix.gaussian(TOKENS, D_MODEL, 12);
        PrometheusScrape gatewayBefore = PrometheusScrape.of(stack.httpAddress("gateway"));

        // when the tokens stream through the gateway in chunks
        Matrix y = fixture.client().infer("routing-it-" + mode + "-" + overflow, 0, x, CHUNK_ROWS, Duration.ofMinutes(2));

        // then each chunk equals the reference layer routed with the same options over the same rows
        try (MoeModel model = MoeModel.open(fixture.modelDir());
             ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 0, options)) {
            LayerRouter router = model.router(0, options);
            float[] expected = new float[TOKENS * D_MODEL];
            int requested = 0;
            int skipped = 0;
            int dropped = 0;
            int rerouted = 0;
            for (int from = 0; from < TOKENS; from += CHUNK_ROWS) {
                Matrix chunk = x.gatherRows(IntStream.range(from, Math.min(TOKENS, from + CHUNK_ROWS)).toArray());
                Matrix out = reference.forward(chunk);
                System.arraycopy(out.data(), 0, expected, from * D_MODEL, out.data().length);
                RoutingStats stats = router.route(chunk).stats();
                requested += stats.requested();
                skipped += stats.skipped();
                dropped += stats.dropped();
                rerouted += stats.rerouted();
            }
            ErrorStats error = ErrorStats.compare(y, new Matrix(TOKENS, D_MODEL, expected));
            System.out.printf("pipeline vs reference (%s): %s; requested %d, skipped %d, dropped %d, rerouted %d%n",
                    options.describe(), error, requested, skipped, dropped, rerouted);
            assertThat(error.maxRelError()).isLessThan(MAX_REL_ERROR);

            // and the counters of this case's router and of the gateway (from the manifests, this case's part) say
            // the same
            PrometheusScrape routerMetrics = PrometheusScrape.of(stack.httpAddress("router"));
            PrometheusScrape gatewayMetrics = PrometheusScrape.of(stack.httpAddress("gateway"));
            assertThat((long) routerMetrics.value("moe_router_assignments_total", Map.of("outcome", "requested"))).isEqualTo(requested);
            assertThat((long) routerMetrics.value("moe_router_assignments_total", Map.of("outcome", "skipped"))).isEqualTo(skipped);
            assertThat((long) routerMetrics.value("moe_router_assignments_total", Map.of("outcome", "dropped"))).isEqualTo(dropped);
            assertThat((long) routerMetrics.value("moe_router_assignments_total", Map.of("outcome", "rerouted"))).isEqualTo(rerouted);
            assertThat(gatewayAssignments(gatewayMetrics, gatewayBefore, "dropped")).isEqualTo(dropped);
            assertThat(gatewayAssignments(gatewayMetrics, gatewayBefore, "skipped")).isEqualTo(skipped);
            if (mode == Mode.FAMILY && overflow == Overflow.DROP) {
                assertThat(dropped).as("capacity factor %s must drop something", capacityFactor).isPositive();
            }
            if (overflow == Overflow.REROUTE) {
                assertThat(rerouted).isPositive();
                assertThat(skipped).isPositive();
            }
        }
    }

    /** How much the gateway's assignment counter of {@code outcome} grew since {@code before} (absent then: 0). */
    private static long gatewayAssignments(PrometheusScrape after, PrometheusScrape before, String outcome) {
        Map<String, String> labels = Map.of("outcome", outcome);
        return (long) after.value("moe_gateway_assignments_total", labels)
                - (long) before.sum("moe_gateway_assignments_total", labels);
    }
}
