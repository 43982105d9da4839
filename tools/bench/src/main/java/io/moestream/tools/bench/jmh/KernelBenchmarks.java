package io.moestream.tools.bench.jmh;

import io.moestream.core.kernel.Blas;
import io.moestream.core.kernel.GateScorer;
import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The expert kernel against the bare sgemm of its two products, and the router's gate product, per micro-batch
 * size. The kernel's time over the sgemm time is what copies and the activation cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KernelBenchmarks {

    @Param({"1", "64", "256"})
    int rows;

    @Param({"1024"})
    int dModel;

    @Param({"3584"})
    int dFf;

    @Param({"8"})
    int experts;

    private OpenBlasSwiGluExpert kernel;
    private GateScorer gate;
    private Matrix x;
    private FloatPointer xOff;
    private FloatPointer w13;
    private FloatPointer w2;
    private FloatPointer h13;
    private FloatPointer g;
    private FloatPointer y;

    @Setup(Level.Trial)
    public void setUp() {
        ExpertWeights weights = new ExpertWeights(Matrix.gaussian(dFf, dModel, 1),
                Matrix.gaussian(dModel, dFf, 2), Matrix.gaussian(dFf, dModel, 3));
        kernel = new OpenBlasSwiGluExpert(weights);
        gate = new GateScorer(Matrix.gaussian(experts, dModel, 4));
        x = Matrix.gaussian(rows, dModel, 5);
        xOff = new FloatPointer(x.data());
        // the kernel's real weights: a buffer never written would be the operating system's zero page, always in cache
        w13 = new FloatPointer(2L * dFf * dModel);
        w13.position(0).put(weights.w1().data(), 0, dFf * dModel);
        w13.position((long) dFf * dModel).put(weights.w3().data(), 0, dFf * dModel);
        w13.position(0);
        w2 = new FloatPointer(weights.w2().data());
        h13 = new FloatPointer(2L * rows * dFf);
        g = new FloatPointer(Matrix.gaussian(rows, dFf, 6).data());
        y = new FloatPointer((long) rows * dModel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        for (FloatPointer pointer : new FloatPointer[] {xOff, w13, w2, h13, g, y}) {
            pointer.close();
        }
    }

    @Benchmark
    public Matrix expertKernel() {
        return kernel.forward(x);
    }

    @Benchmark
    public FloatPointer sgemmOfTheExpert() {
        Blas.multiplyTransposed(rows, 2 * dFf, dModel, xOff, w13, h13);
        Blas.multiplyTransposed(rows, dModel, dFf, g, w2, y);
        return y;
    }

    @Benchmark
    public Matrix gateLogits() {
        return gate.logits(x);
    }
}
