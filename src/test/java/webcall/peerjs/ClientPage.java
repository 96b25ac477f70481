package webcall.peerjs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import webcall.e2e.Browser;

/**
 * The peerjs test page (src/test/resources/peerjs-client) in a browser: calls its functions and
 * reads the events the official client emitted.
 */
final class ClientPage {
  private final Browser browser;

  ClientPage(Browser browser, String url) {
    this.browser = browser;
    browser.open(url);
  }

  void run(String script, Object... args) {
    browser.js(script, args);
  }

  List<Map<String, Object>> events() {
    List<Map<String, Object>> events = browser.js("return window.events;");
    return events == null ? List.of() : new ArrayList<>(events);
  }

  /** Waits for the first event with these fields (values compared as strings) and returns it. */
  Map<String, Object> await(Duration within, Object... fieldsAndValues) {
    Predicate<Map<String, Object>> match =
        e -> {
          for (int i = 0; i < fieldsAndValues.length; i += 2) {
            if (!Objects.equals(
                String.valueOf(e.get((String) fieldsAndValues[i])),
                String.valueOf(fieldsAndValues[i + 1]))) {
              return false;
            }
          }
          return true;
        };
    @SuppressWarnings("unchecked")
    Map<String, Object>[] found = new Map[1];
    try {
      Awaitility.await()
          .atMost(within)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                for (Map<String, Object> e : events()) {
                  if (match.test(e)) {
                    found[0] = e;
                    return true;
                  }
                }
                return false;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no event "
              + List.of(fieldsAndValues)
              + " within "
              + within
              + "; events: "
              + safeEvents(),
          e);
    }
    return found[0];
  }

  private List<Map<String, Object>> safeEvents() {
    try {
      return events();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** The page's playing videos: peer, remote, width, time. */
  List<Map<String, Object>> videos() {
    return browser.js("return window.videos();");
  }
}
