package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileTest {
  @Test
  void anUpdateChangesOnlyTheFieldsItHasAndCleansTheName() {
    Profile p = Profile.ANONYMOUS.with(Map.of("name", " Ada\u202E ", "muted", true), 64);
    assertThat(p).isEqualTo(new Profile("Ada", true, false, false));
    assertThat(p.with(Map.of("cameraOff", true, "sharing", true), 64))
        .isEqualTo(new Profile("Ada", true, true, true));
    assertThat(p.with(Map.of(), 64)).isEqualTo(p);
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertThat(Profile.ANONYMOUS.with(Map.of("admin", true, "name", "x"), 64))
        .isEqualTo(new Profile("x", false, false, false));
  }

  @Test
  void wrongTypesAndLongNamesAreRefusedWhole() {
    assertThat(Profile.ANONYMOUS.with(Map.of("name", 5), 64)).isNull();
    assertThat(Profile.ANONYMOUS.with(Map.of("muted", "yes"), 64)).isNull();
    assertThat(Profile.ANONYMOUS.with(Map.of("cameraOff", 1), 64)).isNull();
    assertThat(Profile.ANONYMOUS.with(Map.of("name", "abcd"), 3)).isNull();
    Map<String, Object> nulls = new HashMap<>();
    nulls.put("sharing", null);
    assertThat(Profile.ANONYMOUS.with(nulls, 64)).isNull();
  }

  @Test
  void theWireFormHasTheIdAndEveryField() {
    assertThat(new Profile("Ada", true, false, true).toWire("p1"))
        .containsExactly(
            Map.entry("id", "p1"),
            Map.entry("name", "Ada"),
            Map.entry("muted", true),
            Map.entry("cameraOff", false),
            Map.entry("sharing", true));
  }
}
