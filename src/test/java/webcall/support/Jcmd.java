package webcall.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an operator's jcmd shows of a running server. */
public final class Jcmd {
  private Jcmd() {}

  /** jcmd's output for one command to the JVM with this pid; fails the test if jcmd does. */
  public static String run(long pid, String... command) throws Exception {
    String[] line = new String[command.length + 2];
    line[0] = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    line[1] = Long.toString(pid);
    System.arraycopy(command, 0, line, 2, command.length);
    Command.Result r = Command.run(60, line);
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  /**
   * Instances on the heap after a full collection (GC.class_histogram) of the first class whose
   * name matches the regular expression; 0 when there are none.
   */
  public static long liveInstances(long pid, String classNameRegex) throws Exception {
    Matcher m =
        Pattern.compile("(\\d+)\\s+\\d+\\s+" + classNameRegex + "\\s")
            .matcher(run(pid, "GC.class_histogram"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
