package io.tailstream.decide;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules in force on one instance. Processors read {@link #current()} per record, so a reload
 * takes effect on the next record and punctuation, without restarting anything.
 */
public final class ActiveRules {
  private final AtomicReference<Decider> current;

  public ActiveRules(Decider initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  public Decider current() {
    return current.get();
  }

  public void replace(Decider next) {
    current.set(Objects.requireNonNull(next, "next"));
  }
}
