package io.moestream.core.io;

import io.moestream.core.tensor.Matrix;
import java.nio.ByteBuffer;

/**
 * Dequantizes MXFP4 weights as Hugging Face's {@code convert_moe_packed_tensors} does (the math, transcribed): a
 * weight {@code [rows, cols]} is stored as {@code blocks [rows, cols/32, 16]} bytes and {@code scales [rows, cols/32]}
 * bytes. Each byte holds two FP4 (e2m1) codes, the low nibble the even column and the high nibble the odd one; a
 * code is an index into {@link #FP4_VALUES}; every 32 consecutive values of a row share one scale byte {@code s},
 * an E8M0 exponent biased by 127: value = {@code FP4_VALUES[code] · 2^(s - 127)}. Every such value is exact in
 * float32 (and bf16), so dequantizing into FP32 loses nothing against Hugging Face's bf16.
 */
public final class Mxfp4 {
    /** Values per scale. */
    public static final int BLOCK = 32;
    /** The e2m1 values of the 16 codes: sign bit 3, then 0, 0.5, 1, 1.5, 2, 3, 4, 6. */
    static final float[] FP4_VALUES = {
        +0.0f, +0.5f, +1.0f, +1.5f, +2.0f, +3.0f, +4.0f, +6.0f,
        -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
    private static final int SCALE_BIAS = 127;

    private Mxfp4() {
    }

    /** One weight packed as MXFP4: {@code blocks [rows, cols/32, 16]} and {@code scales [rows, cols/32]}. */
    public record Packed(byte[] blocks, byte[] scales) {
    }

    /**
     * Packs {@code w [rows, cols]} as MXFP4: per 32 values the smallest power of two {@code 2^s} with
     * {@code max |w| <= 6 · 2^s}, each value rounded to the nearest e2m1 value times {@code 2^s}. What
     * {@link #dequantize} makes of the result is the weight a generated MXFP4 model serves.
     */
    public static Packed quantize(Matrix w) {
        if (w.cols() % BLOCK != 0) {
            throw new IllegalArgumentException("an MXFP4 row of " + w.cols() + " values is not whole blocks of " + BLOCK);
        }
        float[] data = w.data();
        int groups = data.length / BLOCK;
        byte[] blocks = new byte[data.length / 2];
        byte[] scales = new byte[groups];
        for (int group = 0; group < groups; group++) {
            int from = group * BLOCK;
            float max = 0f;
            for (int i = from; i < from + BLOCK; i++) {
                max = Math.max(max, Math.abs(data[i]));
            }
            int exponent = max == 0f ? 0 : Math.max(-SCALE_BIAS, Math.min(SCALE_BIAS,
                    (int) Math.ceil(Math.log(max / 6.0) / Math.log(2))));
            scales[group] = (byte) (exponent + SCALE_BIAS);
            for (int b = 0; b < BLOCK / 2; b++) {
                int low = nearestCode(Math.scalb(data[from + 2 * b], -exponent));
                int high = nearestCode(Math.scalb(data[from + 2 * b + 1], -exponent));
                blocks[from / 2 + b] = (byte) (low | high << 4);
            }
        }
        return new Packed(blocks, scales);
    }

    private static int nearestCode(float value) {
        int best = 0;
        for (int code = 1; code < FP4_VALUES.length; code++) {
            if (Math.abs(FP4_VALUES[code] - value) < Math.abs(FP4_VALUES[best] - value)) {
                best = code;
            }
        }
        return best;
    }

    /** {@code [rows, cols]} from {@code blocks} ({@code rows · cols / 2} bytes) and {@code scales} ({@code rows · cols / 32}). */
    public static Matrix dequantize(ByteBuffer blocks, ByteBuffer scales, int rows, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("an MXFP4 row of " + cols + " values is not whole blocks of " + BLOCK);
        }
        long values = (long) rows * cols;
        if (blocks.remaining() != values / 2 || scales.remaining() != values / BLOCK) {
            throw new IllegalArgumentException("MXFP4 [" + rows + ", " + cols + "] needs " + values / 2 + " block bytes and "
                    + values / BLOCK + " scale bytes, got " + blocks.remaining() + " and " + scales.remaining());
        }
        float[] out = new float[Math.toIntExact(values)];
        int blockStart = blocks.position();
        int scaleStart = scales.position();
        for (int group = 0; group < out.length / BLOCK; group++) {
            int exponent = Byte.toUnsignedInt(scales.get(scaleStart + group)) - SCALE_BIAS;
            int from = group * BLOCK;
            for (int b = 0; b < BLOCK / 2; b++) {
                int packed = Byte.toUnsignedInt(blocks.get(blockStart + from / 2 + b));
                out[from + 2 * b] = Math.scalb(FP4_VALUES[packed & 0x0F], exponent);
                out[from + 2 * b + 1] = Math.scalb(FP4_VALUES[packed >>> 4], exponent);
            }
        }
        return new Matrix(rows, cols, out);
    }
}
