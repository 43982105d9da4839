package io.moestream.core.kernel;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ab;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ba;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.dnnl_unimplemented;

import java.util.Optional;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.jboss.logging.Logger;

/**
 * The one home of oneDNN calls (its C API through the JavaCPP preset): the CPU engine, created once, the probe of
 * what the CPU offers for BF16 products, and the few helpers the BF16 kernel needs. Matrices are 2-D and every
 * product has the form {@code dst[m, n] = src[m, k] · weights[k, n] (+ bias[n])}.
 *
 * <p>The preset's oneDNN runs its parallel regions on OpenMP, which reads {@code OMP_NUM_THREADS} once, when it
 * loads: the processes that run oneDNN set it as they set OpenBLAS's threads: 1 where a pool runs one kernel per
 * core ({@code ./moe}, the local stack's services, the test JVMs), the pod's cores in the k8s manifests (one kernel at
 * a time on all of them), so oneDNN never adds threads beside the expert service's kernel pool.
 */
public final class OneDnn {
    /**
     * System property: the highest instruction set oneDNN may use ({@code avx2}, {@code avx512_core},
     * {@code avx512_core_bf16}, {@code avx512_core_amx}), as {@code ONEDNN_MAX_CPU_ISA} does from the environment: a
     * CPU's BF16 units can be set aside (and the FP32 fallback run) without a machine that lacks them.
     */
    public static final String MAX_CPU_ISA_PROPERTY = "moe.onednn.max-cpu-isa";

    private static final Logger LOG = Logger.getLogger(OneDnn.class);
    /** {@code DNNL_MEMORY_ALLOCATE}: oneDNN allocates (aligned) and frees the memory's buffer. */
    private static final Pointer LIBRARY_ALLOCATES = new Pointer() {
        {
            address = -1L;
        }
    };

    private OneDnn() {
    }

    /** What the CPU offers for BF16 matrix products. */
    public record Bf16Support(boolean available, String detail) {
    }

    /**
     * Whether a BF16 matmul runs on the CPU's BF16 units (AMX or AVX512-BF16), probed once: {@code detail} is the
     * implementation oneDNN picks (e.g. {@code brg:avx512_core_amx}), or why there is none. oneDNN's BF16 emulation on
     * plain AVX-512 and its reference kernels do not count: they are slower than FP32 on OpenBLAS.
     */
    public static Bf16Support bf16Support() {
        return Probe.SUPPORT;
    }

    /** The CPU engine; loading oneDNN fails here, once, with {@link UnsatisfiedLinkError} where its library cannot load. */
    static dnnl_engine engine() {
        return Engine.ENGINE;
    }

    static dnnl_stream stream() {
        dnnl_stream stream = new dnnl_stream();
        check(dnnl.dnnl_stream_create(stream, engine(), dnnl.dnnl_stream_default_flags), "stream creation");
        return stream;
    }

    /** A row-major {@code [rows, cols]} descriptor. */
    static dnnl_memory_desc rowMajor(long rows, long cols, int dataType) {
        return desc(rows, cols, dataType, dnnl_ab);
    }

    /**
     * The {@code [k, n]} weights of a product whose matrix is stored {@code [n, k]} row-major (PyTorch's
     * {@code nn.Linear} layout), read in place as its transpose.
     */
    static dnnl_memory_desc transposedWeights(long k, long n, int dataType) {
        return desc(k, n, dataType, dnnl_ba);
    }

    /** A {@code [rows, cols]} descriptor whose layout the primitive chooses (its preferred blocked one). */
    static dnnl_memory_desc anyLayout(long rows, long cols, int dataType) {
        return desc(rows, cols, dataType, dnnl_format_tag_any);
    }

    private static dnnl_memory_desc desc(long rows, long cols, int dataType, int tag) {
        dnnl_memory_desc desc = new dnnl_memory_desc();
        check(dnnl.dnnl_memory_desc_create_with_tag(desc, 2, new long[] {rows, cols}, dataType, tag),
                "memory descriptor [" + rows + ", " + cols + "]");
        return desc;
    }

    /** A copy of {@code desc} that outlives the primitive descriptor it was queried from. */
    static dnnl_memory_desc copy(dnnl_memory_desc desc) {
        dnnl_memory_desc copy = new dnnl_memory_desc();
        check(dnnl.dnnl_memory_desc_clone(copy, desc), "memory descriptor copy");
        return copy;
    }

    /** The matmul primitive descriptor, or empty when oneDNN has no implementation for these descriptors. */
    static Optional<dnnl_primitive_desc> matmul(dnnl_memory_desc src, dnnl_memory_desc weights, dnnl_memory_desc bias,
            dnnl_memory_desc dst) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        int status = dnnl.dnnl_matmul_primitive_desc_create(pd, engine(), src, weights, bias, dst, null);
        if (status == dnnl_unimplemented) {
            return Optional.empty();
        }
        check(status, "matmul primitive descriptor");
        return Optional.of(pd);
    }

    /** The name of the implementation oneDNN picked for {@code pd}, e.g. {@code brg:avx512_core_amx}. */
    static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
            check(dnnl.dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation query");
            return name.getString(0);
        }
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive primitive = new dnnl_primitive();
        check(dnnl.dnnl_primitive_create(primitive, pd), "primitive creation");
        return primitive;
    }

    /** A memory over {@code data} (a buffer the caller owns), or over a buffer oneDNN allocates when it is null. */
    static dnnl_memory memory(dnnl_memory_desc desc, Pointer data) {
        dnnl_memory memory = new dnnl_memory();
        check(dnnl.dnnl_memory_create(memory, desc, engine(), data == null ? LIBRARY_ALLOCATES : data), "memory creation");
        return memory;
    }

    static void pointTo(dnnl_memory memory, Pointer data) {
        check(dnnl.dnnl_memory_set_data_handle(memory, data), "memory data handle");
    }

    /** Copies {@code from} into {@code to}, converting data type and layout (e.g. FP32 weights to oneDNN's BF16 blocks). */
    static void reorder(dnnl_memory_desc fromDesc, dnnl_memory from, dnnl_memory_desc toDesc, dnnl_memory to,
            dnnl_stream stream) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl.dnnl_reorder_primitive_desc_create(pd, fromDesc, engine(), toDesc, engine(), null), "reorder descriptor");
        dnnl_primitive reorder = primitive(pd);
        try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(2)) {
            args.position(0).arg(DNNL_ARG_FROM).memory(from);
            args.position(1).arg(DNNL_ARG_TO).memory(to);
            execute(reorder, stream, args.position(0), 2);
        } finally {
            dnnl.dnnl_primitive_destroy(reorder);
            dnnl.dnnl_primitive_desc_destroy(pd);
        }
    }

    /** Runs {@code primitive} with its {@code count} arguments and waits for it. */
    static void execute(dnnl_primitive primitive, dnnl_stream stream, dnnl_exec_arg_t args, int count) {
        check(dnnl.dnnl_primitive_execute(primitive, stream, count, args.position(0)), "primitive execution");
        check(dnnl.dnnl_stream_wait(stream), "stream wait");
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status + " (dnnl_status_t)");
        }
    }

    private static final class Engine {
        static final dnnl_engine ENGINE = create();

        private static dnnl_engine create() {
            Loader.load(dnnl.class);
            String maxIsa = System.getProperty(MAX_CPU_ISA_PROPERTY);
            if (maxIsa != null) {
                check(dnnl.dnnl_set_max_cpu_isa(isa(maxIsa)), MAX_CPU_ISA_PROPERTY + "=" + maxIsa);
                LOG.infof("oneDNN capped at %s (%s)", maxIsa, MAX_CPU_ISA_PROPERTY);
            }
            dnnl_engine engine = new dnnl_engine();
            check(dnnl.dnnl_engine_create(engine, dnnl_cpu, 0), "CPU engine creation");
            dnnl_version_t v = dnnl.dnnl_version();
            String threads = System.getenv("OMP_NUM_THREADS");
            if (threads == null) {
                LOG.warnf("oneDNN %d.%d.%d ready, but OMP_NUM_THREADS is unset: each call runs an OpenMP thread per "
                        + "core of its own beside the caller's pool", v.major(), v.minor(), v.patch());
            } else {
                LOG.infof("oneDNN %d.%d.%d ready, %s thread(s) per call (OMP_NUM_THREADS)", v.major(), v.minor(),
                        v.patch(), threads);
            }
            return engine;
        }

        private static int isa(String name) {
            return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "avx2" -> dnnl.dnnl_cpu_isa_avx2;
                case "avx512_core" -> dnnl.dnnl_cpu_isa_avx512_core;
                case "avx512_core_bf16" -> dnnl.dnnl_cpu_isa_avx512_core_bf16;
                case "avx512_core_amx" -> dnnl.dnnl_cpu_isa_avx512_core_amx;
                default -> throw new IllegalArgumentException(MAX_CPU_ISA_PROPERTY + " must be avx2, avx512_core, "
                        + "avx512_core_bf16 or avx512_core_amx, got '" + name + "'");
            };
        }
    }

    private static final class Probe {
        static final Bf16Support SUPPORT = probe();

        private static Bf16Support probe() {
            try {
                engine();
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
                return new Bf16Support(false, "oneDNN cannot load here: " + e.getMessage());
            }
            dnnl_memory_desc src = rowMajor(64, 256, dnnl_bf16);
            dnnl_memory_desc weights = anyLayout(256, 256, dnnl_bf16);
            dnnl_memory_desc dst = rowMajor(64, 256, dnnl_f32);
            try {
                Optional<dnnl_primitive_desc> pd = matmul(src, weights, null, dst);
                if (pd.isEmpty()) {
                    return new Bf16Support(false, "oneDNN has no BF16 matmul for this CPU (effective ISA "
                            + dnnl.dnnl_get_effective_cpu_isa() + ")");
                }
                String implementation = implementation(pd.get());
                dnnl.dnnl_primitive_desc_destroy(pd.get());
                boolean native16 = implementation.contains("amx") || implementation.contains("avx512_core_bf16");
                return new Bf16Support(native16, native16 ? implementation
                        : "oneDNN's BF16 matmul here is " + implementation + ", without AMX or AVX512-BF16");
            } finally {
                dnnl.dnnl_memory_desc_destroy(src);
                dnnl.dnnl_memory_desc_destroy(weights);
                dnnl.dnnl_memory_desc_destroy(dst);
            }
        }
    }
}
