package io.tailstream.adapt;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of the {@code stages.mapping} list: the pipeline stage of the spans it matches. A
 * rule matches when every condition it has holds; a condition with several values holds when
 * one of them does. The first rule that matches names the stage; a span no rule matches is
 * stage {@value StageMap#OTHER}.
 *
 * @param stage the {@code stage} label: lower case letters, digits, '-' and '_'
 * @param root true: only root spans (no parent) match; false: any span
 * @param attribute a span attribute that must be present, or null
 * @param values when not empty, the attribute's string value must be one of these
 * @param services when not empty, {@code service.name} must contain one of these (ASCII case
 *     ignored)
 * @param spanNames when not empty, the span's name must contain one of these (ASCII case ignored)
 */
public record StageRule(String stage, boolean root, String attribute, List<String> values,
    List<String> services, List<String> spanNames) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  /**
   * The OpenTelemetry GenAI conventions and the names ML-serving stacks commonly use (see
   * docs/stage-metrics.md); the demo's and the tests' pipelines classify fully with them.
   */
  public static final List<StageRule> DEFAULTS = List.of(
      root("request"),
      service("ensemble", "ensembl"),
      spanName("ensemble", "ensembl"),
      attribute("inference", "gen_ai.request.model", List.of()),
      attribute("inference", "gen_ai.operation.name",
          List.of("chat", "text_completion", "generate_content", "embeddings")),
      service("feature-retrieval", "feature", "feast"),
      spanName("feature-retrieval", "feature", "feast"),
      service("preprocessing", "preprocess"),
      spanName("preprocessing", "preprocess"),
      service("post-processing", "postprocess", "post-process"),
      spanName("post-processing", "postprocess", "post-process"),
      service("inference", "model-server", "triton", "kserve", "torchserve", "predictor",
          "inference"),
      spanName("inference", "infer"));

  public StageRule {
    if (stage == null || !LABEL.matcher(stage).matches()) {
      throw new IllegalArgumentException("stage '" + stage + "': expected 1 to 40 lower case letters, "
          + "digits, '-' or '_', starting with a letter or digit");
    }
    if (stage.equals(StageMap.OTHER)) {
      throw new IllegalArgumentException("stage '" + StageMap.OTHER + "' is what no rule matched; "
          + "name the stage otherwise");
    }
    values = List.copyOf(values);
    services = lower(services);
    spanNames = lower(spanNames);
    if (attribute != null && attribute.isBlank()) {
      throw new IllegalArgumentException("stage '" + stage + "': attribute must not be empty");
    }
    if (attribute == null && !values.isEmpty()) {
      throw new IllegalArgumentException("stage '" + stage + "': values " + values + " need an attribute");
    }
    if (!root && attribute == null && services.isEmpty() && spanNames.isEmpty()) {
      throw new IllegalArgumentException("stage '" + stage + "': a rule needs root, attribute, service "
          + "or span-name, else it matches every span");
    }
  }

  static StageRule root(String stage) {
    return new StageRule(stage, true, null, List.of(), List.of(), List.of());
  }

  static StageRule attribute(String stage, String attribute, List<String> values) {
    return new StageRule(stage, false, attribute, values, List.of(), List.of());
  }

  static StageRule service(String stage, String... fragments) {
    return new StageRule(stage, false, null, List.of(), List.of(fragments), List.of());
  }

  static StageRule spanName(String stage, String... fragments) {
    return new StageRule(stage, false, null, List.of(), List.of(), List.of(fragments));
  }

  private static List<String> lower(List<String> fragments) {
    for (String f : fragments) {
      if (f == null || f.isEmpty()) {
        throw new IllegalArgumentException("a service or span-name fragment must not be empty");
      }
    }
    return fragments.stream().map(f -> f.toLowerCase(Locale.ROOT)).toList();
  }
}
