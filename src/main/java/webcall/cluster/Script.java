package webcall.cluster;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent whole only when Redis does not know it yet (first
 * use, or a Redis restarted empty). Each script is one atomic step for Redis: no other command runs
 * in the middle of it.
 */
final class Script {
  private final String source;
  private final String sha;
  private final ScriptOutputType type;

  Script(ScriptOutputType type, String source) {
    this.type = type;
    this.source = source;
    try {
      this.sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  <T> T run(RedisCommands<String, byte[]> redis, String[] keys, byte[]... args) {
    try {
      return redis.evalsha(sha, type, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.eval(source, type, keys, args);
    }
  }

  <T> CompletableFuture<T> runAsync(
      RedisAsyncCommands<String, byte[]> redis, String[] keys, byte[]... args) {
    RedisFuture<T> first = redis.evalsha(sha, type, keys, args);
    return first
        .toCompletableFuture()
        .handle(
            (value, error) -> {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (cause instanceof RedisNoScriptException) {
                RedisFuture<T> again = redis.eval(source, type, keys, args);
                return again.toCompletableFuture();
              }
              return error == null
                  ? CompletableFuture.completedFuture(value)
                  : CompletableFuture.<T>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  static byte[] arg(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] arg(long n) {
    return arg(Long.toString(n));
  }

  static String text(Object redisValue) {
    return redisValue == null ? null : new String((byte[]) redisValue, StandardCharsets.UTF_8);
  }
}
