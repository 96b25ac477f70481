package webcall;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --limit name=value}: every limit of docs/limits.md that has no flag of its own, for both
 * commands. Unknown names and values that are not positive whole numbers are refused at start, not
 * ignored.
 */
final class LimitFlags {
  @Option(
      names = "--limit",
      split = ",",
      paramLabel = "NAME=VALUE",
      defaultValue = "${env:WEBCALL_LIMITS}",
      description =
          "Change a limit, e.g. --limit chat-length=500,frame-bytes=32768 (WEBCALL_LIMITS). Names are listed"
              + " in the README.")
  List<String> limits = List.of();

  /** The values given, checked against the names this command knows. */
  Map<String, Long> values(List<String> known, String command) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String item : limits == null ? List.<String>of() : limits) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      String name = eq < 0 ? item.trim() : item.substring(0, eq).trim();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            "unknown limit '" + name + "' for " + command + "; known: " + String.join(", ", known));
      }
      long value;
      try {
        value = Long.parseLong(eq < 0 ? "" : item.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--limit " + name + " needs a whole number, as " + name + "=N");
      }
      if (value < 1) {
        throw new IllegalArgumentException("--limit " + name + " must be at least 1");
      }
      out.put(name, value);
    }
    return out;
  }
}
