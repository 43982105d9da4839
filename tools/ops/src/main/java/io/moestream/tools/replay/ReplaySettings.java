package io.moestream.tools.replay;

import io.moestream.core.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * What one {@code ./moe replay} does.
 *
 * @param sourceBootstrap the cluster holding the recorded traffic (and, for the diff, production's answers); null
 *                        when importing without a diff
 * @param importFile      replay the records of this file instead of reading the source cluster, or null
 * @param exportFile      write the selected records to this file instead of replaying them, or null
 * @param tolerance       relative error above which a result counts as different
 */
public record ReplaySettings(String sourceBootstrap, Topics source, RecordSelection selection, Path importFile,
                             Path exportFile, String targetBootstrap, Topics target, String speed,
                             Set<String> droppedHeaders, boolean diff, Duration diffTimeout, double tolerance) {
}
