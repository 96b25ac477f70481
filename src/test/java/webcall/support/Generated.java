package webcall.support;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Property tests without a library: a check runs on {@link #TRIES} inputs made by a generator from
 * one seeded {@link Random}. A failure names the seed, the try and the input, and {@code
 * -Dwebcall.seed=N} replays exactly that run. Each run takes a new seed, so the inputs tried grow
 * with every build. Nothing is shrunk: generators keep inputs small instead.
 */
public final class Generated {
  public static final int TRIES = 1000;

  /** Makes one input from the run's randomness. */
  @FunctionalInterface
  public interface Gen<T> {
    T next(Random random);

    default <R> Gen<R> map(Function<T, R> f) {
      return r -> f.apply(next(r));
    }
  }

  /** A check that may throw anything; a failed assertion is the usual way to say no. */
  @FunctionalInterface
  public interface Check<T> {
    void check(T value) throws Exception;
  }

  private Generated() {}

  public static <T> void forAll(Gen<T> gen, Check<T> check) {
    long seed = Long.getLong("webcall.seed", new Random().nextLong());
    Random random = new Random(seed);
    for (int i = 0; i < TRIES; i++) {
      T value = gen.next(random);
      try {
        check.check(value);
      } catch (Throwable t) {
        throw new AssertionError(
            "property failed on try "
                + i
                + " of "
                + TRIES
                + " (replay: -Dwebcall.seed="
                + seed
                + ") for input "
                + describe(value)
                + ": "
                + t,
            t);
      }
    }
  }

  static String describe(Object value) {
    if (value instanceof byte[] b) {
      return "bytes[" + b.length + "] " + HexFormat.of().formatHex(b);
    }
    // Escaped, so that a control character or a lone surrogate in the input cannot garble the
    // report.
    String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    StringBuilder out = new StringBuilder();
    text.chars()
        .forEach(
            c ->
                out.append(
                    c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return out.toString();
  }

  // --- generators ---

  @SafeVarargs
  public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    return r -> gens[r.nextInt(gens.length)].next(r);
  }

  @SafeVarargs
  public static <T> Gen<T> constant(T... values) {
    return r -> values[r.nextInt(values.length)];
  }

  public static Gen<Integer> between(int min, int max) {
    return r -> min + r.nextInt(max - min + 1);
  }

  public static Gen<Boolean> bool() {
    return Random::nextBoolean;
  }

  /** Random bytes, 0 to {@code max} of them. */
  public static Gen<byte[]> bytes(int max) {
    return r -> bytesOfLength(r, r.nextInt(max + 1));
  }

  public static byte[] bytesOfLength(Random r, int length) {
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  /** Any UTF-16 code units, lone surrogates and controls included, 0 to {@code max} of them. */
  public static Gen<String> anyChars(int max) {
    return r -> {
      char[] c = new char[r.nextInt(max + 1)];
      for (int i = 0; i < c.length; i++) {
        c[i] = (char) r.nextInt(0x10000);
      }
      return new String(c);
    };
  }

  /** Printable ASCII, 0 to {@code max} characters. */
  public static Gen<String> ascii(int max) {
    return r -> {
      char[] c = new char[r.nextInt(max + 1)];
      for (int i = 0; i < c.length; i++) {
        c[i] = (char) (0x20 + r.nextInt(0x5f));
      }
      return new String(c);
    };
  }

  /** 0 to {@code max} pieces drawn from {@code pieces}, joined. */
  public static Gen<String> joined(int max, String... pieces) {
    return r -> {
      StringBuilder b = new StringBuilder();
      for (int i = r.nextInt(max + 1); i > 0; i--) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      return b.toString();
    };
  }

  public static <T> Gen<List<T>> listOf(Gen<T> gen, int max) {
    return r -> {
      List<T> out = new ArrayList<>();
      for (int i = r.nextInt(max + 1); i > 0; i--) {
        out.add(gen.next(r));
      }
      return out;
    };
  }
}
