package io.tailstream.importer;

import java.util.List;

/**
 * What one tail_sampling policy contributes to the processor's final decision, in terms the
 * rules can say. The processor collects one decision per top-level policy; {@link CollectorImport}
 * turns the set of votes into first-match rules.
 */
sealed interface Vote {
  /** Sampled when {@code when} holds and the trace is selected; NotSampled otherwise. */
  record Plain(Expr when, Selection selection) implements Vote {}

  /**
   * An {@code invert_match} policy: "inverted not sampled" when {@code matched} holds (the key
   * has a listed value on some resource or span), "inverted sampled" otherwise.
   */
  record Inverted(Expr matched) implements Vote {}

  /** A {@code drop} policy: Dropped when {@code when} holds, NotSampled otherwise. */
  record Drops(Expr when) implements Vote {}

  /**
   * A {@code composite} policy: the first sub-policy that samples decides, Sampled while its
   * allocation has room and NotSampled beyond it. Each step's condition already excludes the
   * steps before it.
   */
  record Composite(List<Step> steps) implements Vote {
    public Composite {
      steps = List.copyOf(steps);
    }
  }

  record Step(String name, String type, Expr when, Selection selection, List<String> notes) {
    public Step {
      notes = List.copyOf(notes);
    }
  }
}
