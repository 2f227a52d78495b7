package dev.orion.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The worker's own secret, issued by the control plane at its first registration and shown only
 * then. It lives in a file only the agent's user (root) can read, in the agent's state directory,
 * so a restarted agent, a rebooted or woken worker, is the same node and never needs the shared
 * enrollment token again.
 */
final class NodeIdentity {
  static final String FILE = "node_token";
  private final Path dir;
  private final Path file;
  private volatile String token;

  private NodeIdentity(Path dir, String token) {
    this.dir = dir;
    this.file = dir.resolve(FILE);
    this.token = token;
  }

  /** The identity kept in {@code stateDir}, if any. */
  static NodeIdentity in(Path stateDir) {
    try {
      String t = Files.readString(stateDir.resolve(FILE), StandardCharsets.UTF_8).strip();
      return new NodeIdentity(stateDir, t.isEmpty() ? null : t);
    } catch (NoSuchFileException e) {
      return new NodeIdentity(stateDir, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stateDir.resolve(FILE), e);
    }
  }

  Optional<String> token() {
    return Optional.ofNullable(token);
  }

  /** Keeps a newly issued token: written to a private temporary file, then moved into place. */
  void save(String newToken) {
    try {
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(dir.getParent());
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
          // made meanwhile; its permissions are set below
        }
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path tmp = Files.createTempFile(dir, FILE, ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, newToken + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      token = newToken;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the node token in " + file, e);
    }
  }

  /** Forgets a token the control plane no longer knows (the node was forgotten, its database reset). */
  void discard() {
    token = null;
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + file, e);
    }
  }

  Path file() {
    return file;
  }
}
