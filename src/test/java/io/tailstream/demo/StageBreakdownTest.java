package io.tailstream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tailstream.adapt.StageMap;
import io.tailstream.testing.Spans;
import org.junit.jupiter.api.Test;

class StageBreakdownTest {
  private static final byte[] T = Spans.traceId(1);

  @Test
  void spansAreClassifiedAsTailstreamDoesAndSharedAgainstTheRequest() {
    StageBreakdown b = new StageBreakdown(StageMap.defaults());
    b.add(Spans.request(
        Spans.resource("gateway", "s", Spans.span(T, 1, null, "POST /v1/predict", 0, 200)),
        Spans.resource("feature-store", "s", Spans.span(T, 2, 1, "GET /features", 0, 50)),
        Spans.resource("model-server", "s", Spans.model(Spans.span(T, 3, 1, "inference m", 50, 100), "m"))));
    var rows = b.rows("request");
    assertThat(rows).containsOnlyKeys("request", "inference", "feature-retrieval");
    assertThat(rows.get("request").p50Share()).isEqualTo(1.0);
    assertThat(rows.get("inference").p50Ms()).isCloseTo(100, within(1.0));
    assertThat(rows.get("inference").p99Share()).isCloseTo(0.5, within(0.01));
    assertThat(rows.get("feature-retrieval").spans()).isEqualTo(1);
  }

  @Test
  void withoutRootSpansSharesAreZero() {
    StageBreakdown b = new StageBreakdown(StageMap.defaults());
    b.add(Spans.request(Spans.resource("preprocessor", "s", Spans.span(T, 2, 1, "preprocess", 0, 5))));
    assertThat(b.rows("request").get("preprocessing").p50Share()).isZero();
  }
}
