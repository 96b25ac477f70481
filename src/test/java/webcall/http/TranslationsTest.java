package webcall.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import webcall.rooms.RoomDirectory;

/**
 * Every string the page can show exists in both languages: the two files have the same keys, and
 * every key the page's HTML and scripts name, and every error code the server can send, is among
 * them.
 */
class TranslationsTest {
  private static final Path STATIC = Path.of("src/main/resources/static");
  private static final List<String> LANGUAGES = List.of("en", "zh-CN");

  /**
   * Where keys are named: t('k'), setStatus('k'), media.js problems, setTool(button, on ? 'a' :
   * 'b').
   */
  private static final List<Pattern> KEY_USES =
      List.of(
          Pattern.compile("\\b(?:t|setStatus|showJoinProblem)\\(\\s*'([\\w-]+)'"),
          Pattern.compile("setTool\\([^;]*?\\?\\s*'(\\w+)'\\s*:\\s*'(\\w+)'"),
          Pattern.compile("(?:problem = |return )'(\\w+)';"),
          Pattern.compile("data-i18n(?:-label)?=\"([\\w-]+)\""));

  private static Set<String> keys(String language) throws IOException {
    JsonNode strings =
        new ObjectMapper().readTree(STATIC.resolve("assets/i18n/" + language + ".json").toFile());
    Set<String> keys = new TreeSet<>();
    strings.fieldNames().forEachRemaining(keys::add);
    strings
        .fields()
        .forEachRemaining(
            e ->
                assertThat(e.getValue().isTextual() && !e.getValue().asText().isBlank())
                    .as(language + " " + e.getKey())
                    .isTrue());
    return keys;
  }

  private static Set<String> usedKeys() throws IOException {
    Set<String> used = new TreeSet<>();
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(STATIC)) {
      files
          .filter(p -> p.toString().endsWith(".js") || p.toString().endsWith(".html"))
          .forEach(sources::add);
    }
    for (Path source : sources) {
      String text = Files.readString(source);
      for (Pattern use : KEY_USES) {
        Matcher m = use.matcher(text);
        while (m.find()) {
          for (int g = 1; g <= m.groupCount(); g++) {
            used.add(m.group(g));
          }
        }
      }
    }
    used.remove("en"); // pickLanguage's return value, a language and not a string key
    return used;
  }

  @Test
  void bothLanguagesHaveTheSameKeys() throws IOException {
    assertThat(keys("zh-CN")).isEqualTo(keys("en"));
  }

  @Test
  void everyKeyThePageNamesExistsInEveryLanguage() throws IOException {
    Set<String> used = usedKeys();
    assertThat(used)
        .as("the scan finds the page's keys")
        .contains("join", "roomFull", "denied", "mute", "unmute");
    for (String language : LANGUAGES) {
      assertThat(keys(language)).as(language).containsAll(used);
    }
  }

  @Test
  void everyErrorTheServerSendsHasAText() throws IOException {
    for (String language : LANGUAGES) {
      Set<String> keys = keys(language);
      for (RoomDirectory.JoinError error : RoomDirectory.JoinError.values()) {
        assertThat(keys).as(language).contains("err-" + error.code());
      }
    }
  }

  @Test
  void placeholdersMatchAcrossLanguages() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode en = json.readTree(STATIC.resolve("assets/i18n/en.json").toFile());
    JsonNode zh = json.readTree(STATIC.resolve("assets/i18n/zh-CN.json").toFile());
    Pattern placeholder = Pattern.compile("\\{\\w+}");
    en.fieldNames()
        .forEachRemaining(
            key -> {
              Set<String> a =
                  new TreeSet<>(
                      placeholder
                          .matcher(en.get(key).asText())
                          .results()
                          .map(r -> r.group())
                          .toList());
              Set<String> b =
                  new TreeSet<>(
                      placeholder
                          .matcher(zh.get(key).asText())
                          .results()
                          .map(r -> r.group())
                          .toList());
              assertThat(b).as(key).isEqualTo(a);
            });
  }
}
