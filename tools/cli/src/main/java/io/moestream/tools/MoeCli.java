package io.moestream.tools;

import io.moestream.tools.cli.BenchCommand;
import io.moestream.tools.cli.DemoCommand;
import io.moestream.tools.cli.GenModelCommand;
import io.moestream.tools.cli.InferCommand;
import io.moestream.tools.cli.K8sCommand;
import io.moestream.tools.cli.ReplayCommand;
import io.moestream.tools.cli.ReportCommand;
import io.moestream.tools.cli.TailCommand;
import io.moestream.tools.cli.UpCommand;
import io.moestream.tools.cli.UserErrorHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code moe} command line. */
@Command(name = "moe",
        mixinStandardHelpOptions = true,
        version = "moe-stream 0.1.0",
        description = "Serve Mixture-of-Experts layers as Kafka-connected microservices.",
        subcommands = {GenModelCommand.class, UpCommand.class, InferCommand.class, DemoCommand.class,
                BenchCommand.class, ReplayCommand.class, K8sCommand.class, ReportCommand.class, TailCommand.class})
public final class MoeCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code ./moe} runs it, for a caller that runs a command in its own JVM. */
    public static CommandLine commandLine() {
        return new CommandLine(new MoeCli()).setExecutionExceptionHandler(new UserErrorHandler());
    }
}
