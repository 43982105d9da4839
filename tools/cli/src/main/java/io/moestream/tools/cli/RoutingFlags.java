package io.moestream.tools.cli;

import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.routing.RoutingOptions.Mode;
import io.moestream.core.routing.RoutingOptions.Overflow;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The router's routing options as command-line flags (picocli mixin); all off unless given. */
public final class RoutingFlags {

    @Option(names = "--routing-mode", defaultValue = "family", converter = ModeConverter.class,
            description = "family (the model's own top-k), switch (top-1), dense (every expert) or expert-choice "
                    + "(default ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--capacity-factor", defaultValue = "0",
            description = "Capacity per expert per chunk as a multiple of its fair share; 0: no limit "
                    + "(expert-choice: the family's top-k).")
    double capacityFactor;

    @Option(names = "--overflow", defaultValue = "drop", converter = OverflowConverter.class,
            description = "drop or reroute an assignment over capacity (default ${DEFAULT-VALUE}).")
    Overflow overflow;

    @Option(names = "--renormalize-kept", description = "Rescale a row's remaining weights to their former sum after a drop or skip.")
    boolean renormalizeKept;

    @Option(names = "--confidence-threshold", defaultValue = "0",
            description = "Skip a row's second and later expert whose share of the row's weight is below this; 0: never.")
    double confidenceThreshold;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The options; a combination that does not fit is a usage error naming the problem. */
    public RoutingOptions toOptions() {
        try {
            return new RoutingOptions(mode, capacityFactor, overflow, renormalizeKept, confidenceThreshold);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }

    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return parse(Mode.class, value);
        }
    }

    static final class OverflowConverter implements ITypeConverter<Overflow> {
        @Override
        public Overflow convert(String value) {
            return parse(Overflow.class, value);
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (hyphenated(constant).equals(value)) {
                return constant;
            }
        }
        throw new TypeConversionException("'" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(RoutingFlags::hyphenated).toList());
    }

    private static String hyphenated(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
