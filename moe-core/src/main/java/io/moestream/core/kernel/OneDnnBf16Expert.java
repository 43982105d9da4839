package io.moestream.core.kernel;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Bf16;
import io.moestream.core.tensor.Matrix;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * The gated expert in BF16 on oneDNN: {@code W13 = [W1; W3]} and {@code W2} are held off-heap in BF16, in the blocked
 * layout oneDNN's matmul prefers (reordered once, at load); the input is rounded to BF16 for the first product, the
 * activation and its biases run in FP32 ({@link GatedRow}, as the FP32 kernel) and are rounded to BF16 for the second
 * product; both products accumulate in FP32 and add their biases there, and the output is FP32.
 *
 * <p>Matmul primitives are created once per row bucket (powers of two to 16, then multiples of 16 to
 * {@value #MAX_BUCKET}) and reused; a batch is padded to its bucket and one of more rows runs in slices of
 * {@value #MAX_BUCKET}. Not thread-safe: one thread at a time per instance.
 */
public final class OneDnnBf16Expert implements ExpertKernel {
    /** The largest bucket: the expert service's default batch, and the rows where the matmul reaches its peak. */
    static final int MAX_BUCKET = 256;

    private final int dModel;
    private final int dFf;
    private final GatedRow gatedRow;
    private final dnnl_stream stream;
    private final dnnl_memory_desc w13Desc;
    private final dnnl_memory_desc w2Desc;
    private final dnnl_memory w13;
    private final dnnl_memory w2;
    private final dnnl_memory_desc upBiasDesc;
    private final dnnl_memory_desc downBiasDesc;
    private final dnnl_memory upBias;
    private final dnnl_memory downBias;
    private final FloatPointer upBiasValues;
    private final FloatPointer downBiasValues;
    private final String implementation;
    private final Map<Integer, Bucket> buckets = new HashMap<>();
    private final ShortPointer x16;
    private final FloatPointer h13;
    private final ShortPointer g16;
    private final FloatPointer y;
    private boolean closed;

    /**
     * @throws IllegalStateException when oneDNN has no BF16 matmul for these shapes on this CPU
     */
    public OneDnnBf16Expert(ExpertWeights weights) {
        SwiGlu.checkShapes(weights);
        this.dModel = weights.w1().cols();
        this.dFf = weights.w1().rows();
        // the biases of the products are added by oneDNN in FP32; the activation sees h1 and h3 with theirs
        this.gatedRow = new GatedRow(Optional.empty(), weights.activation());
        this.stream = OneDnn.stream();
        this.upBiasDesc = weights.biases().isPresent() ? OneDnn.rowMajor(1, 2L * dFf, dnnl_f32) : null;
        this.downBiasDesc = weights.biases().isPresent() ? OneDnn.rowMajor(1, dModel, dnnl_f32) : null;
        this.upBiasValues = weights.biases().map(b -> {
            FloatPointer values = new FloatPointer(2L * dFf);
            return values.put(b.gate()).position(dFf).put(b.up()).position(0);
        }).orElse(null);
        this.downBiasValues = weights.biases().map(b -> new FloatPointer(b.down())).orElse(null);
        this.upBias = upBiasDesc == null ? null : OneDnn.memory(upBiasDesc, upBiasValues);
        this.downBias = downBiasDesc == null ? null : OneDnn.memory(downBiasDesc, downBiasValues);
        // the weights' layout is the one the largest bucket's matmul prefers; every bucket then runs on it
        Layout up = preferredLayout(dModel, 2L * dFf, upBiasDesc);
        Layout down = preferredLayout(dFf, dModel, downBiasDesc);
        this.w13Desc = up.weights;
        this.w2Desc = down.weights;
        this.implementation = up.implementation;
        int projection = dFf * dModel;
        try (FloatPointer stacked = new FloatPointer(2L * projection)) {
            stacked.position(0).put(weights.w1().data(), 0, projection);
            stacked.position(projection).put(weights.w3().data(), 0, projection);
            this.w13 = toBf16Blocks(stacked.position(0), dModel, 2L * dFf, w13Desc);
        }
        try (FloatPointer down2 = new FloatPointer(weights.w2().data())) {
            this.w2 = toBf16Blocks(down2, dFf, dModel, w2Desc);
        }
        this.x16 = zeroed(new ShortPointer((long) MAX_BUCKET * dModel));
        this.h13 = zeroed(new FloatPointer(2L * MAX_BUCKET * dFf));
        this.g16 = zeroed(new ShortPointer((long) MAX_BUCKET * dFf));
        this.y = zeroed(new FloatPointer((long) MAX_BUCKET * dModel));
    }

    /** The oneDNN implementation of the first product at {@value #MAX_BUCKET} rows, e.g. {@code brg:avx512_core_amx}. */
    public String implementation() {
        return implementation;
    }

    @Override
    public Matrix forward(Matrix x) {
        if (closed) {
            throw new IllegalStateException("expert kernel is closed");
        }
        SwiGlu.checkInput(x.cols(), dModel);
        int rows = x.rows();
        float[] out = new float[rows * dModel];
        for (int from = 0; from < rows; from += MAX_BUCKET) {
            slice(x.data(), out, from, Math.min(MAX_BUCKET, rows - from));
        }
        return new Matrix(rows, dModel, out);
    }

    /**
     * For the bench: oneDNN's two BF16 matmuls of a batch of {@code rows}, padded and sliced as {@link #forward} does,
     * on this expert's weights and whatever its scratch holds, without the conversions and the activation around them:
     * the limit the kernel is measured against.
     */
    public void productsOnly(int rows) {
        if (closed) {
            throw new IllegalStateException("expert kernel is closed");
        }
        for (int from = 0; from < rows; from += MAX_BUCKET) {
            Bucket bucket = buckets.computeIfAbsent(bucketOf(Math.min(MAX_BUCKET, rows - from)), this::bucket);
            OneDnn.execute(bucket.up, stream, bucket.upArgs, bucket.upArgCount);
            OneDnn.execute(bucket.down, stream, bucket.downArgs, bucket.downArgCount);
        }
    }

    /** Rows {@code [from, from + rows)} of the batch, {@code rows <= MAX_BUCKET}. */
    private void slice(float[] in, float[] out, int from, int rows) {
        Bucket bucket = buckets.computeIfAbsent(bucketOf(rows), this::bucket);
        short[] xBits = new short[rows * dModel];
        toBf16(in, from * dModel, xBits);
        x16.position(0).put(xBits);
        OneDnn.execute(bucket.up, stream, bucket.upArgs, bucket.upArgCount);
        FloatBuffer h = h13.position(0).asBuffer();
        ShortBuffer g = g16.position(0).asBuffer();
        float[] h1 = new float[dFf];
        float[] h3 = new float[dFf];
        float[] act = new float[dFf];
        short[] actBits = new short[dFf];
        for (int r = 0; r < rows; r++) {
            gatedRow.applyToRow(h, r, h1, h3, act, dFf);
            toBf16(act, 0, actBits);
            g.put(r * dFf, actBits);
        }
        OneDnn.execute(bucket.down, stream, bucket.downArgs, bucket.downArgCount);
        y.position(0).get(out, from * dModel, rows * dModel);
    }

    /** {@code bits[i]} = the BF16 rounding of {@code values[offset + i]}, for every {@code i} of {@code bits}. */
    private static void toBf16(float[] values, int offset, short[] bits) {
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Bf16.fromFloat(values[offset + i]);
        }
    }

    /** The padded row count a batch of {@code rows} runs at: 1, 2, 4, 8, 16, then multiples of 16. */
    static int bucketOf(int rows) {
        if (rows <= 1) {
            return 1;
        }
        if (rows <= 16) {
            return Integer.highestOneBit(rows - 1) << 1;
        }
        return (rows + 15) / 16 * 16;
    }

    @Override
    public int dModel() {
        return dModel;
    }

    @Override
    public int dFf() {
        return dFf;
    }

    /** Frees the primitives, the BF16 weights and the scratch; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        buckets.values().forEach(Bucket::close);
        buckets.clear();
        for (dnnl_memory memory : new dnnl_memory[] {w13, w2, upBias, downBias}) {
            if (memory != null) {
                dnnl.dnnl_memory_destroy(memory);
            }
        }
        for (dnnl_memory_desc desc : new dnnl_memory_desc[] {w13Desc, w2Desc, upBiasDesc, downBiasDesc}) {
            if (desc != null) {
                dnnl.dnnl_memory_desc_destroy(desc);
            }
        }
        dnnl.dnnl_stream_destroy(stream);
        for (Pointer p : new Pointer[] {upBiasValues, downBiasValues, x16, h13, g16, y}) {
            if (p != null) {
                p.deallocate();
            }
        }
    }

    private record Layout(dnnl_memory_desc weights, String implementation) {
    }

    /** The blocked BF16 layout of {@code [k, n]} weights that the matmul of {@value #MAX_BUCKET} rows prefers. */
    private static Layout preferredLayout(long k, long n, dnnl_memory_desc bias) {
        dnnl_memory_desc src = OneDnn.rowMajor(MAX_BUCKET, k, dnnl_bf16);
        dnnl_memory_desc weights = OneDnn.anyLayout(k, n, dnnl_bf16);
        dnnl_memory_desc dst = OneDnn.rowMajor(MAX_BUCKET, n, dnnl_f32);
        try {
            dnnl_primitive_desc pd = OneDnn.matmul(src, weights, bias, dst).orElseThrow(() -> new IllegalStateException(
                    "oneDNN has no BF16 matmul of [" + MAX_BUCKET + ", " + k + "] x [" + k + ", " + n + "] on this CPU"));
            try {
                return new Layout(OneDnn.copy(dnnl.dnnl_primitive_desc_query_md(pd, dnnl.dnnl_query_weights_md, 0)),
                        OneDnn.implementation(pd));
            } finally {
                dnnl.dnnl_primitive_desc_destroy(pd);
            }
        } finally {
            dnnl.dnnl_memory_desc_destroy(src);
            dnnl.dnnl_memory_desc_destroy(weights);
            dnnl.dnnl_memory_desc_destroy(dst);
        }
    }

    /** The FP32 {@code [n, k]} row-major matrix at {@code values}, rounded to BF16 in the layout {@code blocked}. */
    private dnnl_memory toBf16Blocks(FloatPointer values, long k, long n, dnnl_memory_desc blocked) {
        dnnl_memory_desc plain = OneDnn.transposedWeights(k, n, dnnl_f32);
        dnnl_memory source = OneDnn.memory(plain, values);
        dnnl_memory target = OneDnn.memory(blocked, null);
        try {
            OneDnn.reorder(plain, source, blocked, target, stream);
        } finally {
            dnnl.dnnl_memory_destroy(source);
            dnnl.dnnl_memory_desc_destroy(plain);
        }
        return target;
    }

    private Bucket bucket(int rows) {
        return new Bucket(rows);
    }

    private static <P extends Pointer> P zeroed(P pointer) {
        pointer.zero();
        return pointer;
    }

    /** The two products' primitives at one padded row count, with their memories over the kernel's scratch. */
    private final class Bucket {
        final dnnl_primitive up;
        final dnnl_primitive down;
        final dnnl_exec_arg_t upArgs;
        final dnnl_exec_arg_t downArgs;
        final int upArgCount;
        final int downArgCount;
        private final List<dnnl_primitive_desc> pds = new ArrayList<>();
        private final List<dnnl_memory_desc> descs = new ArrayList<>();
        private final List<dnnl_memory> memories = new ArrayList<>();

        Bucket(int rows) {
            dnnl_memory_desc xDesc = own(OneDnn.rowMajor(rows, dModel, dnnl_bf16));
            dnnl_memory_desc hDesc = own(OneDnn.rowMajor(rows, 2L * dFf, dnnl_f32));
            dnnl_memory_desc gDesc = own(OneDnn.rowMajor(rows, dFf, dnnl_bf16));
            dnnl_memory_desc yDesc = own(OneDnn.rowMajor(rows, dModel, dnnl_f32));
            Product upProduct = product(xDesc, w13Desc, w13, upBiasDesc, hDesc, rows, dModel, 2L * dFf);
            Product downProduct = product(gDesc, w2Desc, w2, downBiasDesc, yDesc, rows, dFf, dModel);
            this.up = OneDnn.primitive(upProduct.pd());
            this.down = OneDnn.primitive(downProduct.pd());
            this.upArgCount = upBias == null ? 3 : 4;
            this.downArgCount = downBias == null ? 3 : 4;
            this.upArgs = args(memory(xDesc, x16), upProduct.weights(), memory(hDesc, h13), upBias);
            this.downArgs = args(memory(gDesc, g16), downProduct.weights(), memory(yDesc, y), downBias);
        }

        private record Product(dnnl_primitive_desc pd, dnnl_memory weights) {
        }

        /**
         * The matmul of this bucket on the expert's shared blocked weights; where no implementation takes that layout
         * at this row count (an ISA may prefer another blocking for small batches), one on the layout it prefers, with
         * a copy of the weights reordered into it for this bucket alone.
         */
        private Product product(dnnl_memory_desc src, dnnl_memory_desc weightsDesc, dnnl_memory weights,
                dnnl_memory_desc bias, dnnl_memory_desc dst, int rows, long k, long n) {
            Optional<dnnl_primitive_desc> shared = OneDnn.matmul(src, weightsDesc, bias, dst);
            if (shared.isPresent()) {
                pds.add(shared.get());
                return new Product(shared.get(), weights);
            }
            dnnl_memory_desc any = own(OneDnn.anyLayout(k, n, dnnl_bf16));
            dnnl_primitive_desc pd = OneDnn.matmul(src, any, bias, dst).orElseThrow(() -> new IllegalStateException(
                    "oneDNN has no BF16 matmul of [" + rows + ", " + k + "] x [" + k + ", " + n + "] on this CPU"));
            pds.add(pd);
            dnnl_memory_desc preferred = own(OneDnn.copy(dnnl.dnnl_primitive_desc_query_md(pd, dnnl.dnnl_query_weights_md, 0)));
            dnnl_memory own = memory(preferred, null);
            OneDnn.reorder(weightsDesc, weights, preferred, own, stream);
            return new Product(pd, own);
        }

        private dnnl_memory_desc own(dnnl_memory_desc desc) {
            descs.add(desc);
            return desc;
        }

        private dnnl_memory memory(dnnl_memory_desc desc, Pointer data) {
            dnnl_memory memory = OneDnn.memory(desc, data);
            memories.add(memory);
            return memory;
        }

        private static dnnl_exec_arg_t args(dnnl_memory src, dnnl_memory weights, dnnl_memory dst, dnnl_memory bias) {
            dnnl_exec_arg_t args = new dnnl_exec_arg_t(4);
            args.position(0).arg(DNNL_ARG_SRC).memory(src);
            args.position(1).arg(DNNL_ARG_WEIGHTS).memory(weights);
            args.position(2).arg(DNNL_ARG_DST).memory(dst);
            if (bias != null) {
                args.position(3).arg(DNNL_ARG_BIAS).memory(bias);
            }
            return args.position(0);
        }

        void close() {
            dnnl.dnnl_primitive_destroy(up);
            dnnl.dnnl_primitive_destroy(down);
            pds.forEach(dnnl::dnnl_primitive_desc_destroy);
            memories.forEach(dnnl::dnnl_memory_destroy);
            descs.forEach(dnnl::dnnl_memory_desc_destroy);
            upArgs.deallocate();
            downArgs.deallocate();
        }
    }
}
