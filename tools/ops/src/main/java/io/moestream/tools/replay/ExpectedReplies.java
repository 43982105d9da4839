package io.moestream.tools.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.TokenChunk;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The answers a replay should produce: the whole output of every replayed token chunk, and the result of every
 * replayed expert task. Records that do not decode are replayed too (they end on the dead-letter topic) but
 * expect no answer.
 */
record ExpectedReplies(Set<ChunkKey> chunks, Set<ExpertKey> tasks) {

    static ExpectedReplies of(List<ReplayRecord> records, Topics source) {
        Set<ChunkKey> chunks = new HashSet<>();
        Set<ExpertKey> tasks = new HashSet<>();
        for (ReplayRecord r : records) {
            if (r.value() == null) {
                continue;
            }
            try {
                if (r.topic().equals(source.tokens())) {
                    TokenChunk c = TokenChunk.parseFrom(r.value());
                    chunks.add(ChunkKey.of(c));
                } else {
                    ExpertTask t = ExpertTask.parseFrom(r.value());
                    tasks.add(new ExpertKey(ChunkKey.of(t), t.getExpert()));
                }
            } catch (InvalidProtocolBufferException notARecordOfThePipeline) {
                // replayed as it is; nothing comes back for it
            }
        }
        return new ExpectedReplies(Set.copyOf(chunks), Set.copyOf(tasks));
    }

    int size() {
        return chunks.size() + tasks.size();
    }
}
