package io.tailstream.yaml;

/**
 * A YAML document (config or rules) that cannot be accepted. The message is complete and meant for
 * the operator: it names the source, the line, the key path, the bad value and what is allowed.
 */
public final class YamlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public YamlException(String message) {
    super(message);
  }
}
