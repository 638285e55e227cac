package io.tailstream.cli;

import java.util.List;

/**
 * Commands that live outside the runtime (demo, bench, loadgen: they bring the in-JVM broker),
 * found with {@link java.util.ServiceLoader} so that the runtime imports none of them and runs
 * without them.
 */
public interface ToolCommands {
  /** picocli command objects, added as subcommands of {@code tailstream}. */
  List<Object> commands();
}
