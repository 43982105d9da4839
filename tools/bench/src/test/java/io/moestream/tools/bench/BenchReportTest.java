package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @Test
    void shouldWriteEveryFigureAndTheTargetsAsJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nested/bench.json");

        BenchFigures.report().writeJson(file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.at("/spec/chunk_rows").asInt()).isEqualTo(128);
        assertThat(json.at("/spec/warm_up").asText()).isEqualTo("PT30S");
        assertThat(json.at("/kernel/2/kernel_to_sgemm").asDouble()).isEqualTo(0.86);
        assertThat(json.at("/reference/whole_tokens_per_second").asDouble()).isEqualTo(3000);
        assertThat(json.at("/kafka_hop/latency/p99_micros").asDouble()).isEqualTo(20_000);
        assertThat(json.at("/pipeline/ratio_to_reference").asDouble()).isEqualTo(0.59);
        assertThat(json.at("/processes/0/peak_rss_mib").asDouble()).isEqualTo(1854);
        assertThat(json.at("/targets")).hasSize(5);
        assertThat(json.at("/targets/1/met").asBoolean()).isFalse();
    }
}
