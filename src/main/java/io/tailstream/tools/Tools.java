package io.tailstream.tools;

import io.tailstream.cli.ToolCommands;
import java.util.List;

/** The tools' commands, registered in {@code META-INF/services/io.tailstream.cli.ToolCommands}. */
public final class Tools implements ToolCommands {
  @Override
  public List<Object> commands() {
    return List.of(new LoadgenCommand(), new DemoCommand(), new BenchCommand());
  }
}
