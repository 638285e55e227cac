package io.tailstream.cli;

import io.tailstream.otlp.Encoding;
import io.tailstream.yaml.Units;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values in tailstream's units, converted while picocli parses the command line. A value
 * parsed later, inside {@code call()}, failed with the parser's message alone ("expected a
 * duration such as 250ms…"), naming neither the option nor the value; picocli puts a
 * converter's message after "Invalid value for option '--duration': ", and each converter here
 * starts it with the value.
 */
public final class Converters {
  private Converters() {}

  public static <T> T convert(String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "': " + e.getMessage());
    }
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Converters.convert(value, Units::duration);
    }
  }

  /** {@code 1%}, {@code 0.5%}, {@code 0.01}: a probability. */
  public static final class RateConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return Converters.convert(value, Units::rate);
    }
  }

  public static final class EncodingConverter implements ITypeConverter<Encoding> {
    @Override
    public Encoding convert(String value) {
      return Converters.convert(value, Encoding::parse);
    }
  }
}
