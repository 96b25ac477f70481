package webcall.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium (Debian's build, driven by Debian's chromedriver) with fake camera and microphone: one call
 * participant. Selenium is given both paths so that it never tries to download a browser or a driver.
 */
public final class Browser implements AutoCloseable {
  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final Path profile;
  private final ChromeDriver driver;

  private Browser(List<String> extraArgs) {
    try {
      profile = Files.createTempDirectory("webcall-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    List<String> args = new ArrayList<>(List.of(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--mute-audio",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,800",
        "--user-data-dir=" + profile));
    if (extraArgs.stream().noneMatch(a -> a.startsWith("--use-fake-ui-for-media-stream"))) {
      args.add("--use-fake-ui-for-media-stream");
    }
    args.addAll(extraArgs);
    options.addArguments(args);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
            .usingAnyFreePort()
            .withSilent(true)
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  /** A browser that grants camera and microphone; extra Chromium switches may be added. */
  public static Browser launch(String... extraArgs) {
    return new Browser(List.of(extraArgs));
  }

  public void open(String url) {
    driver.get(url);
  }

  @SuppressWarnings("unchecked")
  public <T> T js(String script, Object... args) {
    return (T) ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The remote tiles as the page shows them: peer id, video size, play position and track counts. */
  public List<Map<String, Object>> remoteTiles() {
    return js(
        "return [...document.querySelectorAll('figure.tile.remote')].map(t => {"
            + " const v = t.querySelector('video'); const s = v.srcObject;"
            + " return { peer: t.dataset.peer, width: v.videoWidth, time: v.currentTime, paused: v.paused,"
            + "   audio: s ? s.getAudioTracks().length : 0, video: s ? s.getVideoTracks().length : 0 }; });");
  }

  public String status() {
    return js("return document.getElementById('status').textContent;");
  }

  public String peerId() {
    return js("return window.webcall && window.webcall.peer && window.webcall.peer.id || null;");
  }

  public ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp profile left behind is harmless
      }
    }
  }
}
