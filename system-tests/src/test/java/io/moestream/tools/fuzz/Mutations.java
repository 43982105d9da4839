package io.moestream.tools.fuzz;

import java.util.Arrays;
import java.util.Random;

/** Byte-level damage to a serialized message: truncation, bit flips, random bytes spliced in, pure noise. */
final class Mutations {
    private final Random random;

    Mutations(Random random) {
        this.random = random;
    }

    /** One of the byte-level mutations of {@code valid}, chosen at random, named in {@link Mutated#how()}. */
    Mutated mutate(byte[] valid) {
        return switch (random.nextInt(5)) {
            case 0 -> new Mutated("truncated", Arrays.copyOf(valid, random.nextInt(Math.max(1, valid.length - 1))));
            case 1 -> new Mutated("bit flips", flip(valid));
            case 2 -> new Mutated("random bytes spliced in", splice(valid));
            case 3 -> new Mutated("random bytes", noise(1 + random.nextInt(256)));
            default -> new Mutated("header byte overwritten", overwriteHead(valid));
        };
    }

    record Mutated(String how, byte[] bytes) {
    }

    private byte[] flip(byte[] valid) {
        byte[] copy = valid.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int at = random.nextInt(copy.length);
            copy[at] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private byte[] splice(byte[] valid) {
        int at = random.nextInt(valid.length + 1);
        byte[] inserted = noise(1 + random.nextInt(16));
        byte[] out = new byte[valid.length + inserted.length];
        System.arraycopy(valid, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(valid, at, out, at + inserted.length, valid.length - at);
        return out;
    }

    /** Overwrites one of the first bytes, where the tags and length prefixes of the outer fields are. */
    private byte[] overwriteHead(byte[] valid) {
        byte[] copy = valid.clone();
        copy[random.nextInt(Math.min(copy.length, 8))] = (byte) random.nextInt(256);
        return copy;
    }

    byte[] noise(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
