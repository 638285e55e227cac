package io.tailstream.adapt;

import java.util.Locale;

/**
 * A control message that is not applied, and why. The message names the offending field and
 * value; {@link #reason()} is the low-cardinality kind the refusal is counted under.
 */
public final class ControlRefusal extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  /** How much of a value from a message is shown in refusals and logs. */
  static final int SHOWN_CHARS = 64;

  /** Why a control message was refused; the {@code reason} label of the refusal counter. */
  public enum Reason {
    /** No record key: see {@link BoostMessages#parse} for why keyless records cannot apply. */
    NO_KEY,
    /** Over {@link BoostMessages#MAX_MESSAGE_BYTES}; not read. */
    TOO_LARGE,
    /** Not a JSON object. */
    NOT_JSON,
    /** A missing, unknown or ill-typed field, a bad id, a key that differs from the id. */
    INVALID,
    /** Beyond {@code boosts.max-factor}, {@code max-ttl} or {@code max-concurrent}. */
    OUT_OF_BOUNDS,
    /** A bug: tailstream failed on the message; logged with its stack trace. */
    INTERNAL;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public ControlRefusal(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * A value from a control message as it may appear in a log line: quoted, at most
   * {@value #SHOWN_CHARS} characters (with the full length when cut), control characters escaped
   * so that a message cannot forge log lines; {@code (none)} for null.
   */
  public static String show(String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder s = new StringBuilder(Math.min(value.length(), SHOWN_CHARS) + 24).append('\'');
    int end = Math.min(value.length(), SHOWN_CHARS);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    s.append('\'');
    if (value.length() > SHOWN_CHARS) {
      s.append("… (").append(value.length()).append(" characters)");
    }
    return s.toString();
  }
}
