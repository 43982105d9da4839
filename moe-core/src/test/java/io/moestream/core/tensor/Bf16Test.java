package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Bf16Test {

    @Test
    void shouldRoundTripEveryBf16BitPattern() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short bf16 = (short) bits;
            float value = Bf16.toFloat(bf16);
            short back = Bf16.fromFloat(value);
            if (Float.isNaN(value)) {
                assertThat(Float.isNaN(Bf16.toFloat(back))).as("0x%04x", bits).isTrue();
            } else {
                assertThat(back).as("0x%04x", bits).isEqualTo(bf16);
            }
        }
    }

    @ParameterizedTest(name = "float bits {0} -> {1}")
    @CsvSource({
        "0x3f800000, 0x3f80",
        // exact tie, lower neighbour even: stays
        "0x3f808000, 0x3f80",
        // exact tie, lower neighbour odd: rounds up to even
        "0x3f818000, 0x3f82",
        "0x3f808001, 0x3f81",
        "0x3f807fff, 0x3f80",
        // largest finite float rounds to infinity
        "0x7f7fffff, 0x7f80",
        "0xff800000, 0xff80",
    })
    void shouldRoundToNearestEven(String floatHex, String expectedHex) {
        float value = Float.intBitsToFloat(Integer.parseUnsignedInt(floatHex.substring(2), 16));

        assertThat(Bf16.fromFloat(value)).isEqualTo((short) Integer.parseInt(expectedHex.substring(2), 16));
    }

    @Test
    void shouldKeepNaNWhenThePayloadIsInTheLowBits() {
        float nanWithLowPayload = Float.intBitsToFloat(0x7f800001);

        assertThat(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(nanWithLowPayload)))).isTrue();
    }
}
