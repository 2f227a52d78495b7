package dev.orion.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's cgroups are, read from {@code /proc/self/cgroup} and
 * {@code /proc/self/mountinfo}: v1 hierarchies one per controller (or several controllers
 * mounted together), v2 one unified tree; a machine may have both. Nothing is assumed about
 * mount points, and the mount's own root is subtracted, as it must be inside a container.
 */
final class Cgroups {
  private final Map<String, Path> v1 = new HashMap<>();
  private Path v2;

  private Cgroups() {}

  /** Reads {@code proc/self/cgroup} and {@code proc/self/mountinfo} under {@code proc}. */
  static Cgroups of(Path proc) throws IOException {
    Cgroups c = new Cgroups();
    Map<String, String> paths = new HashMap<>(); // controller (or "" for v2) → cgroup path
    for (String line : Files.readAllLines(proc.resolve("self/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        paths.put("", f[2]);
      } else {
        for (String controller : f[1].split(",")) {
          paths.put(controller, f[2]);
        }
      }
    }
    for (String line : Files.readAllLines(proc.resolve("self/mountinfo"))) {
      String[] halves = line.split(" - ", 2);
      if (halves.length < 2) {
        continue;
      }
      String[] mount = halves[0].split(" ");
      String[] fs = halves[1].split(" ");
      if (mount.length < 5 || fs.length < 3) {
        continue;
      }
      String root = mount[3];
      Path point = Path.of(mount[4]);
      if (fs[0].equals("cgroup2") && paths.containsKey("")) {
        c.v2 = under(point, root, paths.get(""));
      } else if (fs[0].equals("cgroup")) {
        for (String opt : fs[2].split(",")) {
          if (paths.containsKey(opt) && !opt.isEmpty()) {
            c.v1.put(opt, under(point, root, paths.get(opt)));
          }
        }
      }
    }
    return c;
  }

  /** The directory of this process's cgroup in the v1 hierarchy holding {@code controller}. */
  Optional<Path> v1(String controller) {
    return Optional.ofNullable(v1.get(controller));
  }

  /** The directory of this process's cgroup in the unified (v2) hierarchy. */
  Optional<Path> v2() {
    return Optional.ofNullable(v2);
  }

  private static Path under(Path mountPoint, String mountRoot, String cgroupPath) {
    String rel = cgroupPath;
    if (!mountRoot.equals("/") && rel.startsWith(mountRoot)) {
      rel = rel.substring(mountRoot.length());
    }
    rel = rel.replaceFirst("^/+", "");
    return rel.isEmpty() ? mountPoint : mountPoint.resolve(rel);
  }
}
