package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import webcall.peerjs.PeerIds;
import webcall.support.Generated;

/** Key names from client ids: only valid ids, escaped to a fixed alphabet, and reversible. */
class KeysPropertiesTest {
  private static final String ALPHABET = "abcXYZ019 _-%:*?{}[]\n\\/\"'é€😀\u0000\u202e";

  @Test
  void anyValidIdEscapesToSafeBytesAndBack() {
    Generated.forAll(
        r -> {
          StringBuilder b = new StringBuilder();
          if (r.nextBoolean()) {
            // A valid id: runs of letters and digits joined by one ' ', '_' or '-'.
            String alnum = "abcXYZ0189";
            int runs = 1 + r.nextInt(6);
            for (int i = 0; i < runs; i++) {
              if (i > 0) {
                b.append(" _-".charAt(r.nextInt(3)));
              }
              for (int j = 1 + r.nextInt(12); j > 0; j--) {
                b.append(alnum.charAt(r.nextInt(alnum.length())));
              }
            }
            return b.toString();
          }
          int cps = ALPHABET.codePointCount(0, ALPHABET.length());
          for (int i = 1 + r.nextInt(70); i > 0; i--) {
            b.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0, r.nextInt(cps))));
          }
          return b.toString();
        },
        id -> {
          if (!PeerIds.isValidId(id)) {
            assertThat(Keys.usable(id)).isFalse();
            assertThatThrownBy(() -> Keys.escape(id)).isInstanceOf(IllegalArgumentException.class);
            return;
          }
          String escaped = Keys.escape(id);
          assertThat(escaped).matches("[A-Za-z0-9_%-]{1,192}");
          assertThat(Keys.unescape(escaped)).isEqualTo(id);
        });
  }

  @Test
  void aSpaceIsEscapedAndTheTokenIsOnlyItsHash() {
    assertThat(Keys.escape("a b")).isEqualTo("a%20b");
    assertThat(Keys.tokenHash("secret")).hasSize(64).doesNotContain("secret");
    assertThat(Keys.usable("x".repeat(65))).isFalse();
  }
}
