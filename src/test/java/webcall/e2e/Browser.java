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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's build, driven by Debian's chromedriver) with fake camera and
 * microphone: one call participant. Selenium is given both paths so that it never tries to download
 * a browser or a driver.
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
    List<String> args =
        new ArrayList<>(
            List.of(
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

  /** Waits for the lobby to be ready, types a display name and presses Join, as a person would. */
  public void joinCall(String name) {
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(ExpectedConditions.elementToBeClickable(By.id("join")));
    WebElement field = driver.findElement(By.id("name"));
    field.clear();
    if (!name.isEmpty()) {
      field.sendKeys(name);
    }
    driver.findElement(By.id("join")).click();
  }

  /** Opens a room page and joins its call under a name. */
  public void enter(String url, String name) {
    open(url);
    joinCall(name);
  }

  public WebElement find(String cssSelector) {
    return driver.findElement(By.cssSelector(cssSelector));
  }

  public String text(String cssSelector) {
    return find(cssSelector).getText();
  }

  @SuppressWarnings("unchecked")
  public <T> T js(String script, Object... args) {
    return (T) ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * The remote tiles as the page shows them: peer id, video size, play position and track counts.
   */
  public List<Map<String, Object>> remoteTiles() {
    return js(
        "return [...document.querySelectorAll('figure.tile.remote')].map(t => {"
            + " const v = t.querySelector('video'); const s = v.srcObject;"
            + " return { peer: t.dataset.peer, width: v.videoWidth, height: v.videoHeight, time: v.currentTime,"
            + "   paused: v.paused, name: t.querySelector('.name').textContent,"
            + "   muted: t.classList.contains('muted'), cameraOff: t.classList.contains('camera-off'),"
            + "   sharing: t.classList.contains('sharing'),"
            + "   audio: s ? s.getAudioTracks().length : 0, video: s ? s.getVideoTracks().length : 0 }; });");
  }

  public String status() {
    return js("return document.getElementById('status').textContent;");
  }

  public String peerId() {
    return js("return window.webcall && window.webcall.peer && window.webcall.peer.id || null;");
  }

  /** Saves what the page shows now as a PNG. */
  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
