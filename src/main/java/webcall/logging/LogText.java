package webcall.logging;

/** Makes user-supplied text safe for a one-line log entry. */
public final class LogText {
  private LogText() {}

  /**
   * Escapes control characters and '=' and caps the length, so a crafted id cannot forge or flood
   * log lines.
   */
  public static String escape(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 80) + 2);
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      // '=' too: client text cannot then add a key=value pair of its own to a line (or to the json
      // format's fields).
      if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '=') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > 80) {
      b.append("...");
    }
    return b.toString();
  }
}
