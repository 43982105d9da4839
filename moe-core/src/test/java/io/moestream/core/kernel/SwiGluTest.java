package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SwiGluTest {

    @Test
    void shouldMatchTheDoubleSiluTimesTheUpProjectionOverSeededAndExtremeValues() {
        // given: h1 values from a wide Gaussian plus the extremes, h3 values around 1
        Random random = new Random(17);
        int n = 50_000;
        float[] h1 = new float[n];
        float[] h3 = new float[n];
        for (int j = 0; j < n; j++) {
            h1[j] = (float) (random.nextGaussian() * 8);
            h3[j] = (float) (1 + random.nextGaussian());
        }
        float[] extremes = {0f, -0f, 1e-30f, -1e-30f, 1e-6f, 15.8f, -15.8f, 16f, -16f, 40f, -40f, 1e4f, -1e4f};
        System.arraycopy(extremes, 0, h1, 0, extremes.length);
        float[] out = new float[n];

        // when
        SwiGlu.siluTimes(h1, h3, out, n);

        // then: within a few float ulp of |z * h3|, the magnitude the result is added to
        for (int j = 0; j < n; j++) {
            double z = h1[j];
            double expected = SwiGlu.silu(z) * h3[j];
            assertThat(Math.abs(out[j] - expected)).as("z = %s", z).isLessThanOrEqualTo(1e-6 * Math.abs(z * h3[j]) + 1e-30);
        }
    }

    @Test
    void shouldGiveZeroAndSignsWhereSiluDoes() {
        float[] out = new float[3];

        SwiGlu.siluTimes(new float[] {0f, 50f, -50f}, new float[] {1f, 1f, 1f}, out, 3);

        assertThat(out[0]).isZero();
        assertThat(out[1]).isCloseTo(50f, org.assertj.core.api.Assertions.within(50f * 1e-6f));
        assertThat(out[2]).isLessThanOrEqualTo(0f).isGreaterThan(-1e-4f);
    }
}
