package io.moestream.tools.replay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldGiveBackEveryFieldOfEveryRecord() throws Exception {
        // given records with binary values, null keys, values and header values, several headers
        List<ReplayRecord> records = List.of(
                new ReplayRecord("moe.tokens", 0, 41, 1_763_900_000_123L, "req-1".getBytes(UTF_8),
                        List.of(new RecordHeader("moe-reply-to", "moe.replies.gw1".getBytes(UTF_8)),
                                new RecordHeader("empty", null)),
                        new byte[] {0, 1, (byte) 0xff, 42}),
                new ReplayRecord("moe.L0.e3", 2, 7, 5L, null, List.of(), null),
                new ReplayRecord("prefix.moe.tokens", 1, Long.MAX_VALUE, -1L, new byte[0],
                        List.of(new RecordHeader("ünïcode", new byte[0])), new byte[100_000]));
        Path file = dir.resolve("traffic.moereplay");

        // when written and read back
        ReplayFile.write(file, records);
        List<ReplayRecord> back = ReplayFile.read(file);

        // then every field is equal
        assertThat(back).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            ReplayRecord a = records.get(i);
            ReplayRecord b = back.get(i);
            assertThat(b.topic()).isEqualTo(a.topic());
            assertThat(b.partition()).isEqualTo(a.partition());
            assertThat(b.offset()).isEqualTo(a.offset());
            assertThat(b.timestamp()).isEqualTo(a.timestamp());
            assertThat(b.key()).isEqualTo(a.key());
            assertThat(b.value()).isEqualTo(a.value());
            assertThat(b.headers()).hasSameSizeAs(a.headers());
            for (int h = 0; h < a.headers().size(); h++) {
                assertThat(b.headers().get(h).key()).isEqualTo(a.headers().get(h).key());
                assertThat(b.headers().get(h).value()).isEqualTo(a.headers().get(h).value());
            }
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotAReplayFile() throws Exception {
        Path file = dir.resolve("other");
        Files.writeString(file, "hello, world");
        assertThatThrownBy(() -> ReplayFile.read(file)).hasMessageContaining("is not a moe replay file");
    }

    @Test
    void shouldRefuseAnotherVersion() throws Exception {
        Path file = dir.resolve("v2");
        byte[] header = Arrays.copyOf(ReplayFile.MAGIC, ReplayFile.MAGIC.length + 3);
        header[ReplayFile.MAGIC.length + 1] = 2;
        Files.write(file, header);
        assertThatThrownBy(() -> ReplayFile.read(file)).hasMessageContaining("version 2");
    }

    @Test
    void shouldRefuseAFileCutShort() throws Exception {
        Path file = dir.resolve("cut");
        ReplayFile.write(file, List.of(new ReplayRecord("moe.tokens", 0, 1, 2, null, List.of(), new byte[64])));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 10));
        assertThatThrownBy(() -> ReplayFile.read(file)).hasMessageContaining("cut short");
    }
}
