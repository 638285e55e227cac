package io.tailstream.tools;

import io.tailstream.cli.Converters;
import io.tailstream.loadgen.Incident;
import picocli.CommandLine.ITypeConverter;

/** {@code KIND:TARGET@START[+DURATION]}. */
public final class IncidentConverter implements ITypeConverter<Incident> {
  @Override
  public Incident convert(String value) {
    return Converters.convert(value, Incident::parse);
  }
}
