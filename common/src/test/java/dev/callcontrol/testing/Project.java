package dev.callcontrol.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository, found from whichever module's directory the tests run in. */
public final class Project {
    private Project() {
    }

    public static Path root() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null) {
            if (Files.isRegularFile(directory.resolve("template.yaml")) && Files.isDirectory(directory.resolve("events"))) {
                return directory;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("repository root (template.yaml) not found above " + Path.of("").toAbsolutePath());
    }

    public static Path template() {
        return root().resolve("template.yaml");
    }

    public static Path event(String name) {
        return root().resolve("events").resolve(name);
    }
}
