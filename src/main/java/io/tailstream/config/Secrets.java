package io.tailstream.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Masks secret values (passwords, JAAS configs, keys) wherever config is shown or logged. */
public final class Secrets {
  public static final String MASK = "[hidden]";

  private Secrets() {}

  /** True for keys whose values must never be shown. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret")
        || k.contains("token") || k.endsWith(".key") || k.contains("credentials")
        || k.contains("private");
  }

  /** A sorted copy with secret values masked, safe to log. */
  public static Map<String, String> masked(Map<?, ?> properties) {
    Map<String, String> out = new TreeMap<>();
    properties.forEach((k, v) -> out.put(String.valueOf(k), isSecret(String.valueOf(k)) ? MASK : String.valueOf(v)));
    return out;
  }
}
