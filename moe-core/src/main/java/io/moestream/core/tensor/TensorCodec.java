package io.moestream.core.tensor;

import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian byte codecs for FP32, FP16 and BF16 payloads. Bulk transfers through typed buffer
 * views; the 16-bit types convert through one {@code short[]} per call, never per element.
 */
public final class TensorCodec {
    /** Smallest magnitude that rounds to infinity in bf16 (the largest finite bf16 plus half its last step). */
    private static final float BF16_OVERFLOW = Float.intBitsToFloat(0x7f7f8000);
    /** Smallest magnitude that rounds to infinity in fp16 (65504 plus half its last step of 32). */
    private static final float FP16_OVERFLOW = 65520f;

    private TensorCodec() {
    }

    /** Bytes per element of {@code dtype}; an unknown dtype gets an {@link InvalidTensorException}. */
    public static int elementSize(DType dtype) {
        return switch (dtype) {
            case FP32 -> Float.BYTES;
            case FP16, BF16 -> Short.BYTES;
            default -> throw new InvalidTensorException("unknown dtype " + dtype);
        };
    }

    /**
     * Whether every value of {@code values} is finite and stays finite as {@code dtype}. Always true for FP32, which
     * carries every float exactly; a NaN or an infinity answers false for the narrow types, so such a tensor goes as
     * FP32 too and reaches its reader, which rejects it, unchanged.
     */
    public static boolean fitsIn(float[] values, DType dtype) {
        if (dtype == DType.FP32) {
            return true;
        }
        float limit = switch (dtype) {
            case BF16 -> BF16_OVERFLOW;
            case FP16 -> FP16_OVERFLOW;
            default -> throw new InvalidTensorException("unknown dtype " + dtype);
        };
        for (float v : values) {
            // one compare per value, false for NaN too; a max reduction in floats costs C2 several times more
            if (!(Math.abs(v) < limit)) {
                return false;
            }
        }
        return true;
    }

    /** {@code values} as little-endian bytes of {@code dtype}. */
    public static byte[] encode(float[] values, DType dtype) {
        byte[] out = new byte[Math.multiplyExact(values.length, elementSize(dtype))];
        encode(values, dtype, ByteBuffer.wrap(out));
        return out;
    }

    /** Writes {@code values} as {@code dtype} at {@code target}'s position, advancing it. */
    public static void encode(float[] values, DType dtype, ByteBuffer target) {
        int size = elementSize(dtype);
        ByteBuffer le = target.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.FP32) {
            le.asFloatBuffer().put(values);
        } else {
            le.asShortBuffer().put(toShorts(values, dtype));
        }
        target.position(target.position() + values.length * size);
    }

    /** Reads {@code count} values of {@code dtype} from {@code source}'s position, advancing it. */
    public static float[] decode(ByteBuffer source, DType dtype, int count) {
        int size = elementSize(dtype);
        ByteBuffer le = source.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        if (dtype == DType.FP32) {
            le.asFloatBuffer().get(out);
        } else {
            short[] halves = new short[count];
            le.asShortBuffer().get(halves);
            fromShorts(halves, dtype, out);
        }
        source.position(source.position() + count * size);
        return out;
    }

    private static short[] toShorts(float[] values, DType dtype) {
        short[] out = new short[values.length];
        if (dtype == DType.FP16) {
            for (int i = 0; i < values.length; i++) {
                out[i] = Fp16.fromFloat(values[i]);
            }
        } else {
            for (int i = 0; i < values.length; i++) {
                out[i] = Bf16.fromFloat(values[i]);
            }
        }
        return out;
    }

    private static void fromShorts(short[] halves, DType dtype, float[] out) {
        if (dtype == DType.FP16) {
            for (int i = 0; i < halves.length; i++) {
                out[i] = Fp16.toFloat(halves[i]);
            }
        } else {
            for (int i = 0; i < halves.length; i++) {
                out[i] = Bf16.toFloat(halves[i]);
            }
        }
    }
}
