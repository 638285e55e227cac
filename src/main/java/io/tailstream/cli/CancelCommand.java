package io.tailstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tailstream cancel ID}: end a boost on every instance now. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a boost (writes a tombstone for its id to the control topic).",
    footer = {"", "Example:", "  tailstream cancel --config tailstream.yaml inc-4211"})
final class CancelCommand implements Callable<Integer> {
  @Mixin
  ControlOptions control;

  @Parameters(paramLabel = "ID", description = "The boost id (see `tailstream boosts`).")
  String id;

  @Override
  public Integer call() throws Exception {
    control.send(id, null);
    System.out.println("cancelled " + id);
    return Main.EXIT_OK;
  }
}
