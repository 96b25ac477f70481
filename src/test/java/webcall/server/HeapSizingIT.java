package webcall.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.Jcmd;

/**
 * A server started as {@code java -jar} is, with no JVM flags, gives unused heap back: the running
 * JVM reports the lean heap-sizing flags, as an operator's {@code jcmd} would show them. A value
 * the operator chose stays.
 */
class HeapSizingIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");

  @Test
  void withoutJvmFlagsTheServerReturnsUnusedHeap() throws Exception {
    try (ChildProcess server = start(List.of())) {
      Map<String, Long> flags = flags(server.pid());
      assertThat(flags)
          .containsEntry("MinHeapFreeRatio", 10L)
          .containsEntry("MaxHeapFreeRatio", 20L);
      assertThat(flags).containsEntry("G1PeriodicGCInterval", 300_000L);
    }
  }

  @Test
  void anOperatorsFlagIsKept() throws Exception {
    try (ChildProcess server =
        start(List.of("-XX:MaxHeapFreeRatio=50", "-XX:G1PeriodicGCInterval=0"))) {
      Map<String, Long> flags = flags(server.pid());
      assertThat(flags)
          .containsEntry("MaxHeapFreeRatio", 50L)
          .containsEntry("G1PeriodicGCInterval", 0L);
      assertThat(flags)
          .containsEntry("MinHeapFreeRatio", 10L); // not set by the operator: still made lean
    }
  }

  static ChildProcess start(List<String> jvmFlags) {
    List<String> cmd =
        new ArrayList<>(
            ChildProcess.webcall("--host", "127.0.0.1", "--port", "0", "--stun-port", "0"));
    cmd.addAll(1, jvmFlags);
    return ChildProcess.start(cmd, Map.of(), LISTENING, Duration.ofSeconds(60), "webcall-heap");
  }

  /** The three flags as the JVM reports them (jcmd VM.flags -all). */
  static Map<String, Long> flags(long pid) throws Exception {
    Map<String, Long> flags = new java.util.HashMap<>();
    Matcher m =
        Pattern.compile("\\s(MinHeapFreeRatio|MaxHeapFreeRatio|G1PeriodicGCInterval)\\s+= (\\d+)")
            .matcher(Jcmd.run(pid, "VM.flags", "-all"));
    while (m.find()) {
      flags.put(m.group(1), Long.parseLong(m.group(2)));
    }
    return flags;
  }
}
