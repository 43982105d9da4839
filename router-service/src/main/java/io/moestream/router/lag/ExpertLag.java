package io.moestream.router.lag;

/**
 * One expert group's backlog at one check.
 *
 * @param committed        sum of the group's committed offsets over the topic's partitions (log start where none)
 * @param lagRecords       tasks written and not yet committed
 * @param oldestTaskAgeMs  age of the oldest uncommitted task, 0 without lag
 */
public record ExpertLag(int layer, int expert, long committed, long lagRecords, long oldestTaskAgeMs) {
}
