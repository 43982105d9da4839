package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportTableTest {

    @Test
    void shouldPrintEveryItemOfTheIssueWithItsRatios() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        ReportTable.print(BenchFigures.report(), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table)
                .contains("1-2. OpenBLAS sgemm")
                .containsPattern("\\s256\\s+200\\.0\\s+172\\.0\\s+86\\.0%\\s+7000")
                .contains("3.   reference layer in process: 3000 tokens/s on the whole input")
                .contains("4.   Kafka hop, 524319-byte records: p50 10.00 ms, p99 20.00 ms")
                .contains("5.   pipeline: 1770 tokens/s = 59.0% of the reference")
                .contains("p50 85.0 ms, p99 100.0 ms")
                .contains("/ (3 x hop): p50 2.8, p99 1.7")
                .contains("6.   processes:")
                .containsPattern("expert-0\\s+pid 1234\\s+1854 MiB")
                .containsPattern("MET\\s+expert kernel / sgemm")
                .containsPattern("NOT MET\\s+pipeline / reference tokens/s\\s+measured\\s+0\\.590\\s+bound\\s+0\\.600");
        // the machine-wide remainder is CPU time only: no pid, no memory of its own
        assertThat(table.lines().filter(line -> line.contains("(other processes)")))
                .singleElement().asString().doesNotContain("pid").doesNotContain("MiB").doesNotContain("shared machine");
    }
}
