package io.tailstream.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test class only where a Docker engine answers; elsewhere its tests are reported skipped
 * with the reason (these build machines have the docker client but no daemon).
 */
final class DockerAvailable implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return DockerClientFactory.instance().isDockerAvailable()
        ? ConditionEvaluationResult.enabled("a Docker engine answers")
        : ConditionEvaluationResult.disabled("no Docker engine reachable: Testcontainers tests skipped "
            + "(the in-JVM broker variants run the same contracts)");
  }
}
