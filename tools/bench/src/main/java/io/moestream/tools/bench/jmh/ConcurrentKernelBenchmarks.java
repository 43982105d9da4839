package io.moestream.tools.bench.jmh;

import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import java.util.concurrent.Semaphore;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Eight experts in one process, as the expert service runs them: one thread and one single-threaded kernel each.
 * {@code permits} bounds how many kernels run at once (the service's {@code moe.expert.concurrent-kernels}); 8 is no
 * bound, and the machine's core count is the service's default. Compare the two by kernel calls per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Dmoe.blas.threads=1")
@Threads(8)
public class ConcurrentKernelBenchmarks {

    @Param({"8", "2"})
    int permits;

    private Semaphore cores;

    @Setup(Level.Trial)
    public void setUp() {
        cores = new Semaphore(permits);
    }

    /** One expert: its own weights, as in the service, so the threads do not share cache lines of one matrix. */
    @State(Scope.Thread)
    public static class Expert {
        @Param({"64", "192"})
        int rows;

        @Param({"1024"})
        int dModel;

        @Param({"3584"})
        int dFf;

        OpenBlasSwiGluExpert kernel;
        Matrix x;

        @Setup(Level.Trial)
        public void setUp() {
            long seed = Thread.currentThread().getId();
            kernel = new OpenBlasSwiGluExpert(new ExpertWeights(Matrix.gaussian(dFf, dModel, seed),
                    Matrix.gaussian(dModel, dFf, seed + 1), Matrix.gaussian(dFf, dModel, seed + 2)));
            x = Matrix.gaussian(rows, dModel, seed + 3);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            kernel.close();
        }
    }

    @Benchmark
    public Matrix kernelCall(Expert expert) throws InterruptedException {
        cores.acquire();
        try {
            return expert.kernel.forward(expert.x);
        } finally {
            cores.release();
        }
    }
}
