package io.moestream.tools.bench.jmh;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tensor codecs every hop runs: a chunk-sized {@code [rows, d_model]} matrix to a protobuf {@link Tensor} and back
 * (with validation), in each wire dtype.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmarks {

    @Param({"FP32", "FP16", "BF16"})
    DType dtype;

    @Param({"128"})
    int rows;

    @Param({"1024"})
    int dModel;

    private Matrix chunk;
    private Tensor encoded;
    private byte[] serialized;

    @Setup(Level.Trial)
    public void setUp() {
        chunk = Matrix.gaussian(rows, dModel, 7);
        encoded = TensorMessages.toProto(chunk, dtype);
        serialized = encoded.toByteArray();
    }

    @Benchmark
    public Tensor encode() {
        return TensorMessages.toProto(chunk, dtype);
    }

    @Benchmark
    public Matrix decode() {
        return TensorMessages.fromProto(encoded, dModel, rows);
    }

    @Benchmark
    public Matrix parseAndDecode() throws Exception {
        return TensorMessages.fromProto(Tensor.parseFrom(serialized), dModel, rows);
    }

    @Benchmark
    public byte[] encodeAndSerialize() {
        return TensorMessages.toProto(chunk, dtype).toByteArray();
    }
}
