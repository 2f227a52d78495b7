package dev.orion.api.auth;

/** What an agent authenticated with: the fleet's enrollment token, or its own node token. */
public sealed interface AgentCredential {
  /** The shared enrollment token: good for a first registration only. */
  record Enrollment() implements AgentCredential {}

  /** A node token, as its SHA-256 hex (the token itself is never kept). */
  record NodeToken(String hash) implements AgentCredential {}
}
