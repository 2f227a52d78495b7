package dev.orion.agent;

import java.util.Map;

/**
 * The little JSON the agent speaks, written by hand to keep the agent free of dependencies:
 * flat objects out, one numeric field read back.
 */
final class Json {
  private Json() {}

  /** A JSON string literal, escaping what RFC 8259 requires (and nothing is left raw below 0x20). */
  static String string(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** An object of string values. */
  static String object(Map<String, String> fields) {
    StringBuilder b = new StringBuilder("{");
    fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(string(k)).append(':').append(string(v)));
    return b.append('}').toString();
  }

  /**
   * The integer value of a top-level field of a JSON object, or null if absent. Nested values
   * and strings are skipped properly, so a message that mentions the field does not fool it.
   */
  static Long topLevelLong(String json, String field) {
    Reader r = at(json, field);
    return r == null ? null : r.integer();
  }

  /** The string value of a top-level field of a JSON object, or null if absent or JSON null. */
  static String topLevelString(String json, String field) {
    Reader r = at(json, field);
    if (r == null || r.peek() == 'n') {
      return null;
    }
    return r.string();
  }

  /** A reader positioned at the value of the top-level {@code field}, or null if there is none. */
  private static Reader at(String json, String field) {
    Reader r = new Reader(json);
    r.ws();
    r.expect('{');
    r.ws();
    if (r.peek() == '}') {
      return null;
    }
    while (true) {
      r.ws();
      String key = r.string();
      r.ws();
      r.expect(':');
      r.ws();
      if (key.equals(field)) {
        return r;
      }
      r.skipValue();
      r.ws();
      char c = r.next();
      if (c == '}') {
        return null;
      }
      if (c != ',') {
        throw new IllegalArgumentException("expected ',' or '}' at " + (r.pos - 1));
      }
    }
  }

  /** A minimal cursor over JSON text. */
  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    char peek() {
      if (pos >= s.length()) {
        throw new IllegalArgumentException("unexpected end of JSON");
      }
      return s.charAt(pos);
    }

    char next() {
      char c = peek();
      pos++;
      return c;
    }

    void ws() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + (pos - 1));
      }
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = next();
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }

    Long integer() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
      if (pos == start || (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e'))) {
        throw new IllegalArgumentException("expected an integer at " + start);
      }
      return Long.parseLong(s.substring(start, pos));
    }

    void skipValue() {
      char c = peek();
      if (c == '"') {
        string();
      } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        next();
        ws();
        if (peek() == close) {
          next();
          return;
        }
        while (true) {
          ws();
          if (close == '}') {
            string();
            ws();
            expect(':');
            ws();
          }
          skipValue();
          ws();
          char d = next();
          if (d == close) {
            return;
          }
          if (d != ',') {
            throw new IllegalArgumentException("expected ',' at " + (pos - 1));
          }
        }
      } else {
        while (pos < s.length() && ",}] \t\r\n".indexOf(s.charAt(pos)) < 0) {
          pos++;
        }
      }
    }
  }
}
