package io.tailstream.importer;

import io.tailstream.config.ConfigKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a minimal {@code tailstream.yaml}: the brokers to fill in, the rules file, and the
 * imported settings grouped by section, each with a comment naming what it came from. Settings
 * without a value are written as comments only.
 */
public final class ConfigWriter {
  private ConfigWriter() {}

  public static String write(List<Imported.Setting> settings, String rulesFile, String source) {
    StringBuilder b = new StringBuilder();
    b.append("# Written by tailstream import from ").append(source).append(".\n");
    b.append(ConfigKeys.BOOTSTRAP_SERVERS.section()).append(":\n");
    b.append("  ").append(ConfigKeys.BOOTSTRAP_SERVERS.name())
        .append(": localhost:9092   # set to your brokers\n");
    b.append(ConfigKeys.RULES.name()).append(": ").append(ConditionYaml.quote(rulesFile)).append('\n');
    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    for (Imported.Setting s : settings) {
      String section = s.path().substring(0, s.path().indexOf('.'));
      String key = s.path().substring(s.path().indexOf('.') + 1);
      StringBuilder sb = sections.computeIfAbsent(section, k -> new StringBuilder());
      if (s.commentOnly()) {
        sb.append("  # ").append(key).append(": ").append(s.comment()).append('\n');
      } else {
        sb.append("  ").append(key).append(": ").append(s.value())
            .append("   # ").append(s.comment()).append('\n');
      }
    }
    sections.forEach((section, body) -> {
      boolean onlyComments = body.toString().lines().allMatch(l -> l.trim().startsWith("#"));
      b.append(onlyComments ? "# " : "").append(section).append(":\n").append(body);
    });
    return b.toString();
  }
}
