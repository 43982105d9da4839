package io.moestream.tools.replay;

import io.moestream.core.placement.ExpertId;
import io.moestream.core.reassembly.ChunkKey;

/** One expert's part of one chunk: what an expert task asks for and an expert result answers. */
record ExpertKey(ChunkKey chunk, int expert) {

    /** The expert as its topic and the gateway's messages name it, {@code L{layer}.e{expert}}. */
    String expertName() {
        return new ExpertId(chunk.layer(), expert).name();
    }
}
