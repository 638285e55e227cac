package io.tailstream.rules.ottl;

/** An OTTL condition the parser refuses, with the 1-based column where it went wrong. */
public final class OttlSyntaxException extends IllegalArgumentException {
  private final int column;

  public OttlSyntaxException(String message, int column) {
    super("column " + column + ": " + message);
    this.column = column;
  }

  public int column() {
    return column;
  }
}
