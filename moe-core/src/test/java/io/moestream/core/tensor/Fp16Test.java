package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Fp16Test {

    @Test
    void shouldRoundTripEveryHalfBitPattern() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short half = (short) bits;
            float value = Fp16.toFloat(half);
            short back = Fp16.fromFloat(value);
            if (isNaN(half)) {
                assertThat(Float.isNaN(value)).as("0x%04x to float", bits).isTrue();
                assertThat(isNaN(back)).as("0x%04x back to half", bits).isTrue();
            } else {
                assertThat(back).as("0x%04x", bits).isEqualTo(half);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0x0000, 0.0",
        "0x3c00, 1.0",
        "0xc000, -2.0",
        "0x3555, 0.333251953125",
        "0x7bff, 65504.0",
        "0x0400, 6.103515625E-5",
        "0x0001, 5.9604644775390625E-8",
        "0x03ff, 6.097555160522461E-5",
        "0x7c00, Infinity",
        "0xfc00, -Infinity",
    })
    void shouldDecodeKnownValues(String hex, float expected) {
        short half = (short) Integer.parseInt(hex.substring(2), 16);

        assertThat(Fp16.toFloat(half)).isEqualTo(expected);
        assertThat(Fp16.fromFloat(expected)).isEqualTo(half);
    }

    @Test
    void shouldKeepTheSignOfNegativeZero() {
        assertThat(Fp16.fromFloat(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(Float.floatToRawIntBits(Fp16.toFloat((short) 0x8000))).isEqualTo(0x80000000);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // halfway between 1 and 1+2^-10: ties to the even mantissa (1)
        "1.00048828125, 0x3c00",
        // halfway between 1+2^-10 (odd) and 1+2^-9 (even)
        "1.00146484375, 0x3c02",
        // just above the halfway point rounds up
        "1.0004885, 0x3c01",
        // 65520 is halfway between 65504 and 65536 (not representable): overflows to infinity
        "65520.0, 0x7c00",
        "65519.996, 0x7bff",
        // subnormal ties: 2^-25 -> 0, 3*2^-25 -> 2*2^-24
        "2.98023223876953125E-8, 0x0000",
        "8.94069671630859375E-8, 0x0002",
        "2.9802326E-8, 0x0001",
        // just under the smallest normal rounds up into it
        "6.1034E-5, 0x0400",
        "1.0E-10, 0x0000",
        "1.0E10, 0x7c00",
    })
    void shouldRoundToNearestEven(float value, String expectedHex) {
        assertThat(Fp16.fromFloat(value)).isEqualTo((short) Integer.parseInt(expectedHex.substring(2), 16));
    }

    @Test
    void shouldKeepNaNWhenThePayloadIsInTheLowBits() {
        float nanWithLowPayload = Float.intBitsToFloat(0x7f800001);

        assertThat(isNaN(Fp16.fromFloat(nanWithLowPayload))).isTrue();
        assertThat(isNaN(Fp16.fromFloat(Float.NaN))).isTrue();
    }

    @Test
    void shouldMatchABruteForceNearestHalfOnRandomFloats() {
        SplittableRandom random = new SplittableRandom(7);
        float[] positiveHalves = new float[0x7c00];
        for (int bits = 0; bits < positiveHalves.length; bits++) {
            positiveHalves[bits] = Fp16.toFloat((short) bits);
        }
        for (int i = 0; i < 200_000; i++) {
            // mix of wide-range bit patterns and values near the half range
            float value = i % 2 == 0
                    ? Float.intBitsToFloat(random.nextInt()) : (float) random.nextDouble(-70_000, 70_000);
            if (Float.isNaN(value)) {
                continue;
            }
            assertThat(Fp16.fromFloat(value)).as("%s", value).isEqualTo(nearestHalf(value, positiveHalves));
        }
    }

    /** Reference: binary search over the sorted positive halves, ties to the even bit pattern. */
    private static short nearestHalf(float value, float[] positiveHalves) {
        int sign = Float.floatToRawIntBits(value) < 0 ? 0x8000 : 0;
        double magnitude = Math.abs((double) value);
        if (magnitude >= 65520.0) {
            return (short) (sign | 0x7c00);
        }
        int lo = 0;
        int hi = positiveHalves.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (positiveHalves[mid] <= magnitude) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double below = magnitude - positiveHalves[lo];
        double above = positiveHalves[hi] - magnitude;
        int bits;
        if (below < above) {
            bits = lo;
        } else if (above < below) {
            bits = hi;
        } else {
            bits = (lo & 1) == 0 ? lo : hi;
        }
        if (magnitude >= positiveHalves[hi]) {
            bits = hi;
        }
        return (short) (sign | bits);
    }

    private static boolean isNaN(short half) {
        return (half & 0x7c00) == 0x7c00 && (half & 0x03ff) != 0;
    }
}
