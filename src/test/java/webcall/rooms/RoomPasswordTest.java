package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A room password is a salted hash that a store can keep and read back, and never shows. */
class RoomPasswordTest {
  @Test
  void matchesOnlyItsOwnText() {
    RoomPassword pw = RoomPassword.of("s3cret");
    assertThat(pw.matches("s3cret")).isTrue();
    assertThat(pw.matches("S3cret")).isFalse();
    assertThat(pw.matches("")).isFalse();
    assertThat(pw.matches(null)).isFalse();
    assertThat(pw.matches("x".repeat(RoomPassword.MAX_LENGTH + 1))).isFalse();
  }

  @Test
  void theSameTextTwiceIsTwoPasswords() {
    RoomPassword one = RoomPassword.of("same");
    RoomPassword two = RoomPassword.of("same");
    assertThat(one).isNotEqualTo(two);
    assertThat(one.encoded()).isNotEqualTo(two.encoded());
    assertThat(one).isEqualTo(one);
  }

  @Test
  void theEncodedFormReadsBackAndHoldsNoPassword() {
    RoomPassword pw = RoomPassword.of("hunter2-hunter2");
    String encoded = pw.encoded();
    assertThat(encoded).startsWith("pbkdf2-sha256:").doesNotContain("hunter2");
    RoomPassword back = RoomPassword.decode(encoded);
    assertThat(back).isEqualTo(pw).hasSameHashCodeAs(pw);
    assertThat(back.matches("hunter2-hunter2")).isTrue();
    assertThat(pw.toString()).doesNotContain("hunter2").doesNotContain(encoded);
  }

  @Test
  void decodeRefusesAnythingElse() {
    for (String bad :
        new String[] {"", "hunter2", "pbkdf2-sha256:", "pbkdf2-sha256:AAAA:AAAA", "md5:a:b"}) {
      assertThatThrownBy(() -> RoomPassword.decode(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
