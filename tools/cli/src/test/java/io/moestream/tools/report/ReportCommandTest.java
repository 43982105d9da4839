package io.moestream.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.tools.MoeCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReportCommandTest {

    @Test
    void shouldRefuseATargetOutsideZeroToOneBeforeReachingForKafka() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MoeCli()).setErr(new PrintWriter(err));

        int exit = cli.execute("report", "--bootstrap", "127.0.0.1:1", "--target-balancedness", "1.5");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--target-balancedness must be in (0, 1], got 1.5");
    }

    @Test
    void shouldRefuseASinceItCannotRead() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MoeCli()).setErr(new PrintWriter(err));

        int exit = cli.execute("report", "--bootstrap", "127.0.0.1:1", "--since", "yesterday");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("cannot read the time 'yesterday'");
    }
}
