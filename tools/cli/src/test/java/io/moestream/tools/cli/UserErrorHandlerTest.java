package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.junit.jupiter.api.Test;

class UserErrorHandlerTest {

    @Command(name = "infer")
    static final class Failing implements Callable<Integer> {
        private final RuntimeException failure;

        Failing(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() {
            throw failure;
        }
    }

    @Test
    void shouldPrintTheGatewaysStatusInOneLineAndExitWithOne() {
        // given a command that the gateway answers with INVALID_ARGUMENT
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new Failing(Status.INVALID_ARGUMENT
                .withDescription("chunk seq 0: layer 0 is not a served MoE layer (served layers: [1, 2])")
                .asRuntimeException()))
                .setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new UserErrorHandler());

        // when it runs, then the status and its message are the whole error output
        assertThat(command.execute()).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("infer: INVALID_ARGUMENT: chunk seq 0: layer 0 is not a served MoE layer"
                + " (served layers: [1, 2])" + System.lineSeparator());
    }

    @Test
    void shouldLeaveAnUnexpectedFailureToPicocliWithItsStackTrace() {
        CommandLine command = new CommandLine(new Failing(new IllegalStateException("a bug")))
                .setExecutionExceptionHandler(new UserErrorHandler());
        StringWriter err = new StringWriter();
        command.setErr(new PrintWriter(err, true));

        // picocli's execute() prints what the handler rethrows with its stack trace
        assertThat(command.execute()).isEqualTo(1);
        assertThat(err.toString()).contains("java.lang.IllegalStateException: a bug").contains("\tat ");
    }
}
