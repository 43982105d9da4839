package io.moestream.expert.worker;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.expert.selection.ExpertId;
import io.moestream.expert.task.ExpertTaskDecoder;

/** One expert as a worker serves it: its identity, its task topic, its loaded kernel and its task decoder. */
public record ServedExpert(ExpertId id, String topic, ExpertKernel kernel, ExpertTaskDecoder decoder) {
}
