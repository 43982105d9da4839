package io.moestream.tools.cli;

import io.moestream.core.placement.GroupPacker;
import io.moestream.core.placement.PlanSource;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How {@code ./moe up} and {@code ./moe k8s} place the experts into groups: a plan file, a group count, or a memory budget. */
final class PlacementFlags {

    @Option(names = "--placement", description = "Placement plan file (JSON, docs/CONTRACTS.md): the expert groups,"
            + " their experts, replicas and partitions. Without it the experts are packed by --group-memory.")
    Path file;

    @Option(names = "--group-memory", defaultValue = "" + GroupPacker.DEFAULT_GROUP_MEMORY_MIB,
            description = "Weights per expert group in MiB when packing without a plan: whole layers while they fit,"
                    + " a layer split when it does not (default ${DEFAULT-VALUE}).")
    long groupMemoryMib;

    @Option(names = "--expert-processes", defaultValue = "0",
            description = "Shortcut for a plan of N groups of one process each, the experts split evenly in layer order"
                    + " (default: pack by --group-memory).")
    int expertProcesses;

    @Option(names = "--expert-partitions", defaultValue = "1",
            description = "Partitions of every expert topic when packing without a plan: how many replicas can share an"
                    + " expert (default ${DEFAULT-VALUE}).")
    int expertPartitions;

    PlanSource source() {
        if (file != null && expertProcesses > 0) {
            throw new IllegalArgumentException("--placement and --expert-processes both choose the expert groups; give one");
        }
        return PlanSource.packed().withFile(file).withGroups(expertProcesses).withGroupMemoryMib(groupMemoryMib)
                .withPartitions(expertPartitions);
    }

    Path file() {
        return file;
    }
}
