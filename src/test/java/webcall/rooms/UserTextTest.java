package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserTextTest {
  @Test
  void controlAndBidiCharactersAreRemovedAndTheRestTrimmed() {
    assertThat(UserText.clean("  Ada\u0000 \u001b[31mLovelace\u007f ", 64))
        .isEqualTo("Ada [31mLovelace");
    assertThat(UserText.clean("evil\u202Etxt.exe", 64)).isEqualTo("eviltxt.exe");
    assertThat(UserText.clean("\u2066a\u2069\u200E\u200F", 64)).isEqualTo("a");
    assertThat(UserText.clean("", 64)).isEmpty();
  }

  @Test
  void lineBreaksStayOnlyInMultilineText() {
    assertThat(UserText.clean("one\ntwo\r\n", 64)).isEqualTo("onetwo");
    assertThat(UserText.clean("one\ntwo\r\n", 64, true)).isEqualTo("one\ntwo");
  }

  @Test
  void tooLongIsRefusedNotCutCountingCodePoints() {
    assertThat(UserText.clean("abc", 3)).isEqualTo("abc");
    assertThat(UserText.clean("abcd", 3)).isNull();
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    assertThat(UserText.clean(emoji.repeat(3), 3)).isEqualTo(emoji.repeat(3));
    assertThat(UserText.clean(emoji.repeat(4), 3)).isNull();
    // What is removed does not count.
    assertThat(UserText.clean("a\u0000\u0000\u0000bc", 3)).isEqualTo("abc");
  }
}
