package webcall.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Prometheus's text exposition format (0.0.4) into samples, written from the format's
 * description.
 */
public final class PrometheusText {
  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\S+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  public record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int at = 0;
        while (l.find() && l.start() == at) {
          labels.put(
              l.group(1),
              l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
          at = l.end();
        }
        if (at != m.group(2).length()) {
          throw new AssertionError("unreadable labels: " + line);
        }
      }
      samples.add(
          new Sample(
              m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
    }
    return samples;
  }

  /**
   * The value of the one sample with this name and these labels (name=value pairs), or NaN if there
   * is none.
   */
  public static double value(List<Sample> samples, String name, String... labels) {
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        match &= labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (match) {
        return s.value();
      }
    }
    return Double.NaN;
  }

  /**
   * The sum over every sample of that name with those labels (e.g. the heap's pools), or NaN when
   * there is none.
   */
  public static double sum(List<Sample> samples, String name, String... labels) {
    double total = Double.NaN;
    for (Sample s : samples) {
      boolean match = s.name().equals(name);
      for (int i = 0; match && i + 1 < labels.length; i += 2) {
        match = labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (match) {
        total = Double.isNaN(total) ? s.value() : total + s.value();
      }
    }
    return total;
  }
}
