package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerIdsTest {
  @Test
  void idsFollowThePeerJsClientsRuleUpTo64Characters() {
    for (String ok :
        new String[] {
          "a", "A1", "abc-def", "a_b c-d", "x".repeat(64), "3f2c1e0a-9b8d-4c7e-a6f5-0d1c2b3a4e5f"
        }) {
      assertThat(PeerIds.isValidId(ok)).as(ok).isTrue();
    }
    for (String bad :
        new String[] {
          null,
          "",
          "x".repeat(65),
          "-a",
          "a-",
          "a--b",
          "a b ",
          " a",
          "a.b",
          "é",
          "a\nb",
          "a/b",
          "a\u0000"
        }) {
      assertThat(PeerIds.isValidId(bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  @Test
  void tokensAreOneTo64LettersOrDigits() {
    assertThat(PeerIds.isValidToken("a")).isTrue();
    assertThat(PeerIds.isValidToken("Z9".repeat(32))).isTrue();
    assertThat(PeerIds.isValidToken(null)).isFalse();
    assertThat(PeerIds.isValidToken("")).isFalse();
    assertThat(PeerIds.isValidToken("a".repeat(65))).isFalse();
    assertThat(PeerIds.isValidToken("ab-c")).isFalse();
    assertThat(PeerIds.isValidToken("ab c")).isFalse();
  }
}
