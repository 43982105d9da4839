package io.moestream.tools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/** Says when a placement file was saved again since the last look; never, when there is no file. */
final class PlanFileWatch {
    private final Path file;
    private FileTime seen;

    PlanFileWatch(Path file) {
        this.file = file;
        this.seen = modified();
    }

    boolean changed() {
        FileTime now = modified();
        if (now == null || now.equals(seen)) {
            return false;
        }
        seen = now;
        return true;
    }

    private FileTime modified() {
        if (file == null) {
            return null;
        }
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
