package io.moestream.tools.stack;

import java.io.IOException;
import java.util.concurrent.ConcurrentSkipListMap;

/** A program for {@link StartupArchiveIT}: loads a few classes, says it is ready, then runs until its input ends. */
public final class ArchivedProgram {
    private ArchivedProgram() {
    }

    public static void main(String[] args) throws IOException {
        ConcurrentSkipListMap<String, Integer> loaded = new ConcurrentSkipListMap<>();
        loaded.put("ready", 1);
        System.out.println(loaded.firstKey());
        System.out.flush();
        if (args.length == 0) {
            while (System.in.read() != -1) {
                // runs until the input ends
            }
        }
    }
}
