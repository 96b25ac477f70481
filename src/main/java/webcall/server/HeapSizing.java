package webcall.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the JVM give memory back, without JVM flags: {@code java -jar} cannot carry any, and the
 * defaults keep up to 3.3 times the live heap committed after a collection (MaxHeapFreeRatio 70),
 * which is what an idle connection then costs in RSS. These flags are "manageable": HotSpot lets a
 * running program change them. A flag the operator set on the command line is left alone.
 */
public final class HeapSizing {
  private static final Logger log = LoggerFactory.getLogger(HeapSizing.class);

  /** In the order they must be set: MinHeapFreeRatio may never exceed MaxHeapFreeRatio. */
  private static final Map<String, String> LEAN = leanDefaults();

  private HeapSizing() {}

  private static Map<String, String> leanDefaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("MinHeapFreeRatio", "10");
    m.put("MaxHeapFreeRatio", "20");
    // An idle server (no collection for 5 minutes) runs a concurrent cycle, which returns the
    // unused heap.
    m.put("G1PeriodicGCInterval", "300000");
    return m;
  }

  /** Applies {@link #LEAN} where the flag still has its default value. */
  public static void applyLeanDefaults() {
    HotSpotDiagnosticMXBean vm;
    try {
      vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (RuntimeException | LinkageError e) {
      return; // not HotSpot: its own defaults stay
    }
    if (vm == null) {
      return;
    }
    for (Map.Entry<String, String> flag : LEAN.entrySet()) {
      try {
        VMOption current = vm.getVMOption(flag.getKey());
        if (current.getOrigin() != VMOption.Origin.DEFAULT
            && current.getOrigin() != VMOption.Origin.ERGONOMIC) {
          continue; // set by the operator
        }
        vm.setVMOption(flag.getKey(), flag.getValue());
      } catch (IllegalArgumentException e) {
        // unknown here (another collector or JVM) or out of range next to an operator's value: keep
        // it
        log.debug("event=heap-flag-kept flag={} error={}", flag.getKey(), e.getMessage());
      }
    }
  }
}
