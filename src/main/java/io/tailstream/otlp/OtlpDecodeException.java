package io.tailstream.otlp;

/** A record value that is not a readable OTLP trace request in the configured encoding. */
public final class OtlpDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public OtlpDecodeException(String message, Throwable cause) {
    super(message, cause);
  }

  public OtlpDecodeException(String message) {
    super(message);
  }
}
