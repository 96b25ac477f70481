package webcall.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import webcall.Main;

/**
 * The Dockerfile and deploy/compose.yaml cannot be built here (no container engine), so what can go
 * stale is checked instead: every file they copy or mount exists, and every WEBCALL_ variable they
 * set is one webcall reads.
 */
class ContainerFilesTest {
  static final Path DOCKERFILE = Path.of("Dockerfile");
  static final Path COMPOSE = Path.of("deploy", "compose.yaml");
  static final Pattern VARIABLE = Pattern.compile("\\b(WEBCALL_[A-Z0-9_]+)\\b");

  /**
   * The variables of every flag of both commands, from picocli's model, and the one Logback reads.
   */
  static Set<String> knownVariables() {
    Set<String> names = new TreeSet<>(Set.of("WEBCALL_LOG_LEVEL"));
    CommandLine cli = Main.commandLine();
    List<CommandLine> commands = new ArrayList<>(List.of(cli));
    commands.addAll(cli.getSubcommands().values());
    for (CommandLine c : commands) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        // The annotation's text: picocli's model holds the default with ${env:...} already looked
        // up.
        String declared =
            o.userObject() instanceof java.lang.reflect.Field f
                ? f.getAnnotation(CommandLine.Option.class).defaultValue()
                : "";
        Matcher m = Pattern.compile("\\$\\{env:(WEBCALL_[A-Z0-9_]+)").matcher(declared);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  static Set<String> variablesIn(String text) {
    Set<String> found = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("#")) {
        continue; // comments may name variables for the reader
      }
      Matcher m = VARIABLE.matcher(line);
      while (m.find()) {
        found.add(m.group(1));
      }
    }
    return found;
  }

  @Test
  void theModelKnowsTheFlagsVariables() {
    assertThat(knownVariables())
        .contains(
            "WEBCALL_PORT",
            "WEBCALL_HOST",
            "WEBCALL_ADMIN_PORT",
            "WEBCALL_ADMIN_HOST",
            "WEBCALL_LOG_FORMAT",
            "WEBCALL_DATA_DIR",
            "WEBCALL_TURN_SECRETS",
            "WEBCALL_NO_STUN");
  }

  @Test
  void theDockerfileCopiesFilesThatExistAndSetsRealVariables() throws Exception {
    String text = Files.readString(DOCKERFILE);
    List<String> sources = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length >= 3 && words[0].equals("COPY") && !words[1].startsWith("--from")) {
        for (int i = 1; i < words.length - 1; i++) {
          sources.add(words[i]);
        }
      }
    }
    assertThat(sources)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(Path.of(s)).as("COPY " + s).exists());
    assertThat(variablesIn(text)).isNotEmpty().isSubsetOf(knownVariables());
    assertThat(text)
        .containsPattern("(?m)^FROM eclipse-temurin:17-jre\\s*$")
        .containsPattern("(?m)^USER webcall\\s*$")
        .containsPattern("(?m)^EXPOSE 3000 3478/udp\\s*$")
        .containsPattern("(?m)^HEALTHCHECK .*\\n?.*/healthz");
  }

  @Test
  void composeMountsFilesThatExistAndSetsRealVariables() throws Exception {
    String text = Files.readString(COMPOSE);
    Matcher context = Pattern.compile("(?m)^\\s+context:\\s*(\\S+)\\s*$").matcher(text);
    assertThat(context.find()).isTrue();
    Path root = COMPOSE.getParent().resolve(context.group(1)).normalize();
    Matcher dockerfile = Pattern.compile("(?m)^\\s+dockerfile:\\s*(\\S+)\\s*$").matcher(text);
    assertThat(dockerfile.find()).isTrue();
    assertThat(root.resolve(dockerfile.group(1))).exists();
    // Bind mounts: "- ./path:/in/container[:ro]" relative to deploy/.
    Matcher mount = Pattern.compile("(?m)^\\s+-\\s+\"?(\\.{1,2}/[^:\"]+):").matcher(text);
    List<String> mounts = new ArrayList<>();
    while (mount.find()) {
      mounts.add(mount.group(1));
    }
    assertThat(mounts)
        .contains("./coturn/turnserver.conf")
        .allSatisfy(m -> assertThat(COMPOSE.getParent().resolve(m)).as(m).exists());
    assertThat(variablesIn(text)).isNotEmpty().isSubsetOf(knownVariables());
    assertThat(Path.of("deploy", "env.example")).exists();
  }
}
