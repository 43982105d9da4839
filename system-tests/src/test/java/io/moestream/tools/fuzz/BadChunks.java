package io.moestream.tools.fuzz;

import io.moestream.proto.v1.InferChunk;
import java.util.List;
import java.util.Random;

/** {@code moe.v1} streams whose last chunk breaks one rule of the gRPC API (docs/api.md). */
final class BadChunks {
    private BadChunks() {
    }

    /**
     * @param streamLevel    the rule is about the stream (seq, request id), so the case brings its own earlier chunks
     * @param answeredBefore how many of the case's chunks are valid and must be answered before the stream fails
     */
    record Case(String what, List<InferChunk> chunks, boolean streamLevel, int answeredBefore) {
    }

    static Case next(Random random, BadTensors tensors, String id) {
        InferChunk.Builder chunk = InferChunk.newBuilder().setRequestId(id).setSeq(random.nextInt(1000)).setLayer(0);
        return switch (random.nextInt(7)) {
            case 0, 1, 2 -> {
                BadTensors.Bad bad = tensors.next();
                yield single(bad.what(), chunk.setHidden(bad.tensor()));
            }
            case 3 -> {
                int layer = random.nextBoolean() ? 1 + random.nextInt(1000) : -1 - random.nextInt(1000);
                yield single("unknown layer " + Integer.toUnsignedString(layer), chunk.setLayer(layer)
                        .setHidden(tensors.valid()));
            }
            case 4 -> single("no hidden tensor", chunk);
            case 5 -> single("empty request_id", chunk.setRequestId("").setHidden(tensors.valid()));
            default -> {
                InferChunk first = chunk.setHidden(tensors.valid()).build();
                InferChunk second = random.nextBoolean()
                        ? first.toBuilder().setHidden(tensors.valid()).build()
                        : first.toBuilder().setSeq(first.getSeq() + 1).setRequestId(id + "-changed").build();
                String what = second.getSeq() == first.getSeq() ? "seq sent twice" : "request_id changed mid-stream";
                yield new Case(what, List.of(first, second), true, 1);
            }
        };
    }

    private static Case single(String what, InferChunk.Builder chunk) {
        return new Case(what, List.of(chunk.build()), false, 0);
    }
}
