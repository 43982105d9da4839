package io.moestream.tools.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.moestream.proto.v1.DType;
import java.time.Duration;

/**
 * What one {@code moe bench} run measures: the model's shape, the token stream sent through the pipeline and
 * how many samples the latency measurements take.
 *
 * @param kernelRows     micro-batch sizes (rows) at which sgemm and the expert kernel are compared
 * @param streams        concurrent gRPC streams that share the tokens in the throughput run
 * @param latencySamples serial single-chunk round trips (and Kafka hops) measured after warm-up
 * @param warmUp         how long the pipeline runs before the throughput is measured
 * @param dtype          the element type the client sends its chunks in; the reference gets the same values
 */
public record BenchSpec(int dModel, int dFf, int experts, int topK, int tokens, int chunkRows, int streams,
                        int latencySamples, int[] kernelRows, @JsonIgnore Duration warmUp, long seed, DType dtype) {

    public BenchSpec {
        if (topK < 1 || topK > experts) {
            throw new IllegalArgumentException("--top-k must be between 1 and --experts (" + experts + "), got " + topK);
        }
        if (chunkRows < 1 || tokens < chunkRows) {
            throw new IllegalArgumentException("--tokens (" + tokens + ") must hold at least one chunk of --chunk-rows ("
                    + chunkRows + ") rows");
        }
        if (streams < 1 || latencySamples < 1 || kernelRows.length == 0) {
            throw new IllegalArgumentException("--streams, --latency-samples and --kernel-rows must be positive");
        }
    }

    /** The warm-up as ISO-8601 text in the JSON, as given on the command line (Jackson has no default for Duration). */
    @JsonProperty("warm_up")
    public String warmUpText() {
        return warmUp.toString();
    }

    /** Floating-point operations of one SwiGLU expert on {@code rows} rows: three products of d_model by d_ff. */
    public double expertFlops(int rows) {
        return 6.0 * rows * dModel * dFf;
    }
}
