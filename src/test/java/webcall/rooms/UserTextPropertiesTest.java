package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.support.Generated.anyChars;
import static webcall.support.Generated.ascii;
import static webcall.support.Generated.between;
import static webcall.support.Generated.forAll;
import static webcall.support.Generated.joined;
import static webcall.support.Generated.oneOf;

import org.junit.jupiter.api.Test;
import webcall.support.Generated.Gen;

/** Names and chat cleaning on generated text, heavy with what it must take out. */
class UserTextPropertiesTest {
  static final Gen<String> TEXT =
      oneOf(
          ascii(60),
          anyChars(60),
          joined(
              60,
              "\u0000",
              "\u0007",
              "\t",
              "\n",
              "\r",
              "\u001b",
              "\u007f",
              "\u0085",
              "\u009b",
              "\u200E",
              "\u200F",
              "\u202A",
              "\u202E",
              "\u2066",
              "\u2069",
              " ",
              "\u00a0",
              "\u2028",
              "\u3000",
              "\uD83D",
              "\uDE00",
              "\uD83D\uDE00",
              "a",
              "é",
              "中"));

  record Case(String text, int max, boolean multiline) {}

  static final Gen<Case> CASES =
      r -> new Case(TEXT.next(r), between(1, 40).next(r), r.nextBoolean());

  private static boolean isBidiControl(int cp) {
    return cp >= 0x202A && cp <= 0x202E
        || cp >= 0x2066 && cp <= 0x2069
        || cp == 0x200E
        || cp == 0x200F;
  }

  @Test
  void theOutputNeverExceedsTheLimit() {
    forAll(
        CASES,
        c -> {
          String out = UserText.clean(c.text(), c.max(), c.multiline());
          if (out != null) {
            assertThat(out.codePointCount(0, out.length())).isLessThanOrEqualTo(c.max());
          }
        });
  }

  @Test
  void inputWithinTheLimitIsNeverRefused() {
    forAll(
        CASES,
        c -> {
          int length = c.text().codePointCount(0, c.text().length());
          assertThat(UserText.clean(c.text(), Math.max(1, length), c.multiline())).isNotNull();
        });
  }

  @Test
  void theOutputHasNoControlOrBidiCharactersAndNoSpaceAtItsEnds() {
    forAll(
        CASES,
        c -> {
          String out = UserText.clean(c.text(), 1000, c.multiline());
          out.codePoints()
              .forEach(
                  cp -> {
                    if (!(c.multiline() && cp == '\n')) {
                      assertThat(Character.isISOControl(cp)).as("U+%04X", cp).isFalse();
                    }
                    assertThat(isBidiControl(cp)).as("U+%04X", cp).isFalse();
                  });
          assertThat(out).isEqualTo(out.strip());
        });
  }

  @Test
  void cleaningIsIdempotent() {
    forAll(
        CASES,
        c -> {
          String once = UserText.clean(c.text(), 1000, c.multiline());
          assertThat(UserText.clean(once, 1000, c.multiline())).isEqualTo(once);
        });
  }
}
