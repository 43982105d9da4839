package io.moestream.tools.fuzz;

import com.google.protobuf.ByteString;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Raw records for the pipeline's topics: mostly bad (a broken rule, damaged bytes, a wrong reply-to header). */
final class BadRecords {
    private BadRecords() {
    }

    /** A record value (null: a tombstone) and its reply-to header (null: none). */
    record Record(String what, byte[] value, String replyTo) {
        ProducerRecord<String, byte[]> toProducerRecord(String topic, String key) {
            RecordHeaders headers = new RecordHeaders();
            if (replyTo != null) {
                headers.add(Topics.REPLY_TO_HEADER, replyTo.getBytes(StandardCharsets.UTF_8));
            }
            return new ProducerRecord<>(topic, null, key, value, headers);
        }
    }

    /** Reply-to headers that name no reply topic, or a well-formed reply topic that does not exist. */
    private static String badReplyTo(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> Topics.DEFAULT.tokens();
            case 3 -> Topics.DEFAULT.deadLetters();
            case 4 -> Topics.DEFAULT.expert(0, random.nextInt(4));
            case 5 -> Topics.DEFAULT.replyTopicPrefix() + "bad name/" + random.nextInt(99);
            case 6 -> Topics.DEFAULT.replies("gone-" + random.nextInt(99));
            default -> "\u0000\u00ff" + random.nextInt();
        };
    }

    static Record tokenChunk(Random random, BadTensors tensors, Mutations mutations, String key, String replyTo) {
        TokenChunk.Builder chunk = TokenChunk.newBuilder().setRequestId(key).setSeq(random.nextInt(100)).setLayer(0)
                .setHidden(tensors.valid());
        return switch (random.nextInt(8)) {
            case 0, 1 -> {
                BadTensors.Bad bad = tensors.next();
                yield new Record(bad.what(), chunk.setHidden(bad.tensor()).build().toByteArray(), replyTo);
            }
            case 2 -> new Record("unknown layer", chunk.setLayer(1 + random.nextInt(100)).build().toByteArray(), replyTo);
            case 3 -> new Record("no request id or no hidden", (random.nextBoolean() ? chunk.setRequestId("")
                    : chunk.clearHidden()).build().toByteArray(), replyTo);
            case 4 -> new Record("bad reply-to", chunk.build().toByteArray(), badReplyTo(random));
            case 5 -> new Record("tombstone", null, replyTo);
            default -> mutated(mutations, chunk.build().toByteArray(), replyTo);
        };
    }

    static Record expertTask(Random random, BadTensors tensors, Mutations mutations, String key, String replyTo,
                             int expert) {
        ExpertTask.Builder task = validTask(tensors, key, expert).toBuilder().setSeq(random.nextInt(100));
        Tensor rows = task.getRows();
        return switch (random.nextInt(9)) {
            case 0, 1 -> {
                BadTensors.Bad bad = tensors.next();
                yield new Record(bad.what(), task.setRows(bad.tensor()).build().toByteArray(), replyTo);
            }
            case 2 -> new Record("another expert's task", task.setExpert(expert + 1 + random.nextInt(100))
                    .build().toByteArray(), replyTo);
            case 3 -> new Record("row_index too long", task.addRowIndex(99).build().toByteArray(), replyTo);
            case 4 -> new Record("gate weights short", task.setGateWeights(weights(rows.getRows() - 1, 0.5f))
                    .build().toByteArray(), replyTo);
            case 5 -> new Record("NaN gate weight", task.setGateWeights(weights(rows.getRows(), Float.NaN))
                    .build().toByteArray(), replyTo);
            case 6 -> new Record("bad reply-to", task.build().toByteArray(), badReplyTo(random));
            case 7 -> new Record("wrong layer or tombstone", random.nextBoolean() ? null
                    : task.setLayer(1 + random.nextInt(5)).build().toByteArray(), replyTo);
            default -> mutated(mutations, task.build().toByteArray(), replyTo);
        };
    }

    /** A valid task of layer 0 for {@code expert}: random rows, each with gate weight 0.5. */
    static ExpertTask validTask(BadTensors tensors, String key, int expert) {
        Tensor rows = tensors.valid();
        ExpertTask.Builder task = ExpertTask.newBuilder().setRequestId(key).setLayer(0).setExpert(expert).setRows(rows)
                .setGateWeights(weights(rows.getRows(), 0.5f));
        for (int i = 0; i < rows.getRows(); i++) {
            task.addRowIndex(i);
        }
        return task.build();
    }

    /** A reply for no pending chunk, malformed, or damaged: the gateway must ignore every one and count it. */
    static byte[] reply(Random random, BadTensors tensors, Mutations mutations, String key) {
        Tensor rows = tensors.valid();
        Reply manifest = Reply.newBuilder().setManifest(RouteManifest.newBuilder().setRequestId(key).setRows(rows.getRows())
                .addExperts(random.nextInt(4))).build();
        Reply result = Reply.newBuilder().setResult(ExpertResult.newBuilder().setRequestId(key)
                .setExpert(random.nextInt(4)).setWeighted(random.nextBoolean() ? rows : tensors.next().tensor())
                .addRowIndex(0)).build();
        return switch (random.nextInt(6)) {
            case 0 -> manifest.toByteArray();
            case 1 -> result.toByteArray();
            case 2 -> Reply.getDefaultInstance().toByteArray();
            case 3 -> mutations.noise(1 + random.nextInt(200));
            case 4 -> null;
            default -> mutations.mutate((random.nextBoolean() ? manifest : result).toByteArray()).bytes();
        };
    }

    private static Record mutated(Mutations mutations, byte[] valid, String replyTo) {
        Mutations.Mutated mutated = mutations.mutate(valid);
        return new Record(mutated.how(), mutated.bytes(), replyTo);
    }

    private static ByteString weights(int count, float value) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.max(0, count) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            bytes.putFloat(value);
        }
        return ByteString.copyFrom(bytes.array());
    }
}
