package io.moestream.tools.cli;

import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints what the user got wrong in one line instead of a stack trace: a gRPC status from the gateway (it names the
 * problem, e.g. an unserved layer) and an {@link IllegalArgumentException} (bad option values, a malformed model).
 * Anything else is a bug and keeps its stack trace.
 */
public final class UserErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        if (e instanceof StatusRuntimeException || e instanceof IllegalArgumentException) {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            return 1;
        }
        throw e;
    }
}
