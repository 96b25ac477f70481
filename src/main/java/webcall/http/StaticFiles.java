package webcall.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files under {@code static/} on the class path, read into memory once at start so that serving
 * them never touches the disk from an event loop. They are small: the page, its modules and the two
 * browser libraries.
 */
public final class StaticFiles {
  /** One file: its bytes, content type and a strong ETag. */
  public record Asset(byte[] body, String contentType, String etag) {}

  private final Map<String, Asset> assets;

  private StaticFiles(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  /** The asset at a path relative to static/, e.g. "assets/app.js", or null. */
  public Asset get(String path) {
    return assets.get(path);
  }

  public static StaticFiles load() {
    URL root = StaticFiles.class.getClassLoader().getResource("static");
    if (root == null) {
      throw new IllegalStateException("static/ is missing from the class path");
    }
    try {
      URI uri = root.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return new StaticFiles(read(fs.getPath("static")));
      }
      return new StaticFiles(read(Paths.get(uri)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Asset> read(Path dir) throws IOException {
    Map<String, Asset> out = new HashMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        byte[] body;
        try (InputStream in = Files.newInputStream(p)) {
          body = in.readAllBytes();
        }
        out.put(rel, new Asset(body, contentType(rel), etag(body)));
      }
    }
    return out;
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json", "map" -> "application/json; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      default -> "application/octet-stream";
    };
  }

  private static String etag(byte[] body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
