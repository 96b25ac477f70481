package webcall.rooms;

/** Display names and chat messages: plain text, with what could spoof or break a line taken out. */
final class UserText {
  private UserText() {}

  /**
   * Removes control characters and bidirectional overrides, trims, and returns null when the result
   * is longer than {@code max} characters (code points). Too long is refused, not cut: the sender
   * is told.
   */
  static String clean(String s, int max) {
    return clean(s, max, false);
  }

  /** As {@link #clean(String, int)}, keeping line breaks when {@code multiline} (chat). */
  static String clean(String s, int max, boolean multiline) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max * 2));
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      boolean newline = multiline && cp == '\n';
      if ((Character.isISOControl(cp) && !newline) || isBidiControl(cp)) {
        continue;
      }
      b.appendCodePoint(cp);
    }
    String out = b.toString().strip();
    return out.codePointCount(0, out.length()) > max ? null : out;
  }

  private static boolean isBidiControl(int cp) {
    return (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069)
        || cp == 0x200E
        || cp == 0x200F;
  }
}
