package io.tailstream.deploy;

import static io.tailstream.deploy.Manifests.at;
import static io.tailstream.deploy.Manifests.listAt;
import static io.tailstream.deploy.Manifests.map;
import static io.tailstream.deploy.Manifests.mapAt;
import static io.tailstream.deploy.Manifests.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.rules.RulesParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files in deploy/k8s agree with each other, with the Dockerfile and with what tailstream
 * reads: names, labels, ports, mounts, env vars, the config and rules in the ConfigMap, and the
 * memory sizing.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("deploy/k8s");

  private final Map<String, Object> statefulSet = doc("statefulset.yaml", "StatefulSet");
  private final List<Map<String, Object>> services = docs("service.yaml");
  private final Map<String, Object> service = byName(services, "tailstream");
  private final Map<String, Object> headless = byName(services, "tailstream-headless");
  private final Map<String, Object> configMap = doc("configmap.yaml", "ConfigMap");
  private final Map<String, Object> pdb = doc("poddisruptionbudget.yaml", "PodDisruptionBudget");
  private final Map<String, Object> pod = mapAt(statefulSet, "spec.template.spec");
  private final Map<String, Object> container = named(listAt(pod, "containers"), "tailstream");

  @TempDir
  Path tmp;

  @Test
  void kustomizationListsEveryManifestAndNothingElse() throws IOException {
    Map<String, Object> k = Manifests.one(DIR.resolve("kustomization.yaml"));
    List<String> manifests;
    try (Stream<Path> files = Files.list(DIR)) {
      manifests = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
    }
    assertThat(listAt(k, "resources")).containsExactlyInAnyOrderElementsOf(manifests);
    assertThat(named(listAt(k, "images"), "tailstream")).containsKey("newName");
    assertThat(container.get("image")).isEqualTo("tailstream");
  }

  @Test
  void selectorsServiceAndBudgetAllFindThePods() {
    Map<String, Object> podLabels = mapAt(statefulSet, "spec.template.metadata.labels");
    assertThat(podLabels).containsAllEntriesOf(mapAt(statefulSet, "spec.selector.matchLabels"));
    assertThat(podLabels).containsAllEntriesOf(mapAt(service, "spec.selector"));
    assertThat(podLabels).containsAllEntriesOf(mapAt(headless, "spec.selector"));
    assertThat(podLabels).containsAllEntriesOf(mapAt(pdb, "spec.selector.matchLabels"));
    // The governing Service is headless and lists pods that are not ready (stable DNS names).
    assertThat(at(statefulSet, "spec.serviceName")).isEqualTo(at(headless, "metadata.name"));
    assertThat(at(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat(at(headless, "spec.publishNotReadyAddresses")).isEqualTo(true);
    assertThat(at(statefulSet, "spec.podManagementPolicy")).isEqualTo("Parallel");
    assertThat(at(pdb, "spec.maxUnavailable")).isEqualTo(1);
  }

  @Test
  void adminPortIsTheOneTheConfigOpensAndEverythingPointsAtIt() throws IOException {
    TailstreamConfig config = config();
    Map<String, Object> port = named(listAt(container, "ports"), "admin");
    assertThat(port.get("containerPort")).isEqualTo(config.adminPort());
    Map<String, Object> servicePort = named(listAt(service, "spec.ports"), "admin");
    assertThat(servicePort.get("targetPort")).isEqualTo("admin");
    assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/health/live");
    assertThat(at(container, "livenessProbe.httpGet.port")).isEqualTo("admin");
    assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/health/ready");
    assertThat(at(container, "readinessProbe.httpGet.port")).isEqualTo("admin");
    Map<String, Object> scrape = mapAt(statefulSet, "spec.template.metadata.annotations");
    assertThat(scrape.get("prometheus.io/port")).isEqualTo(String.valueOf(config.adminPort()));
    assertThat(scrape.get("prometheus.io/path")).isEqualTo("/metrics");
    // Annotated pods and an annotated Service would be scraped twice by the usual configs.
    for (Map<String, Object> s : services) {
      assertThat(String.valueOf(Manifests.map(s.get("metadata")).get("annotations"))).doesNotContain("prometheus.io");
    }
  }

  @Test
  void configAndRulesFromTheConfigMapLoadAndUseTheMountsAndThePodName() throws IOException {
    TailstreamConfig config = config();
    assertThat(config.kafka().groupInstanceId()).isEqualTo("tailstream-0");
    Map<String, Object> configMount = named(listAt(container, "volumeMounts"), "config");
    assertThat(configMount).as("a subPath mount never sees ConfigMap updates: rules would not hot-reload")
        .doesNotContainKey("subPath");
    assertThat(named(listAt(pod, "volumes"), "config")).extracting(v -> at(v, "configMap.name"))
        .isEqualTo(at(configMap, "metadata.name"));
    List<Object> args = listAt(container, "args");
    assertThat(args).containsSequence("--config", configMount.get("mountPath") + "/tailstream.yaml");
    assertThat(mapAt(configMap, "data")).containsKey(config.rulesFile().getFileName().toString());

    Map<String, Object> stateMount = named(listAt(container, "volumeMounts"), "state");
    assertThat(config.kafka().properties().get("state.dir")).isEqualTo(stateMount.get("mountPath"));
    assertThat(named(listAt(statefulSet, "spec.volumeClaimTemplates").stream()
        .map(t -> (Object) map(t).get("metadata")).toList(), "state")).isNotNull();

    for (Object e : listAt(container, "env")) {
      String name = (String) map(e).get("name");
      if (name.startsWith(ConfigLoader.ENV_PREFIX)) {
        assertThat(ConfigLoader.isConfigVariable(name)).as(name + " sets a config key").isTrue();
      }
    }
  }

  @Test
  void podIsNonRootWithAReadOnlyRootAndWritableStateAndTmp() throws IOException {
    assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
    assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
    List<Object> mounts = listAt(container, "volumeMounts");
    assertThat(named(mounts, "tmp").get("mountPath")).as("RocksDB unpacks its JNI library in /tmp")
        .isEqualTo("/tmp");
    assertThat(named(mounts, "state")).doesNotContainKey("readOnly");

    String dockerfile = Files.readString(Path.of("Dockerfile"));
    Object uid = at(pod, "securityContext.runAsUser");
    assertThat(dockerfile).contains("USER " + uid + ":").contains("--uid " + uid);
    assertThat(dockerfile).contains("CMD [\"run\", \"--config\", \"" + listAt(container, "args").get(2) + "\"]");
    assertThat(dockerfile).contains("EXPOSE " + named(listAt(container, "ports"), "admin").get("containerPort"));
  }

  @Test
  void memoryLimitHoldsTheHeapRocksDbAndTheRest() throws IOException {
    TailstreamConfig config = config();
    long limit = bytes((String) at(container, "resources.limits.memory"));
    assertThat(bytes((String) at(container, "resources.requests.memory"))).isEqualTo(limit);
    String javaOptions = (String) named(listAt(container, "env"), "JAVA_TOOL_OPTIONS").get("value");
    int percent = Integer.parseInt(javaOptions.replaceAll(".*MaxRAMPercentage=(\\d+).*", "$1"));
    long heap = limit * percent / 100;
    // Sizing (docs/performance.md): 512 MiB of heap at 10k spans/s and wait 30s; RocksDB within
    // its cache; and at least 256 MiB for metaspace, thread stacks, direct buffers and the JIT.
    assertThat(heap).isGreaterThanOrEqualTo(512L << 20);
    assertThat(heap + config.rocksDbCacheBytes() + (256L << 20)).isLessThanOrEqualTo(limit);
    // Traces on the heap (memory.heap-buffer) are a part of the heap, not more than a quarter.
    assertThat(config.heapBufferBytes()).isLessThanOrEqualTo(heap / 4);
    assertThat((Integer) at(pod, "terminationGracePeriodSeconds"))
        .isGreaterThan((int) config.shutdownTimeout().toSeconds());
  }

  @Test
  void kubectlRendersTheKustomization() throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", DIR.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("kubectl is not installed: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("kind: StatefulSet", "kind: Service", "kind: ConfigMap",
        "kind: PodDisruptionBudget", "image: ghcr.io/your-org/tailstream:0.1.0", "namespace: observability");
  }

  private TailstreamConfig config() throws IOException {
    Map<String, Object> data = mapAt(configMap, "data");
    for (Map.Entry<String, Object> e : data.entrySet()) {
      Files.writeString(tmp.resolve(e.getKey()), (String) e.getValue());
    }
    Map<String, String> env = new HashMap<>();
    env.put("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "tailstream-0"); // the fieldRef, as the pod sees it
    assertThat(at(named(listAt(container, "env"), "TAILSTREAM_KAFKA_GROUP_INSTANCE_ID"),
        "valueFrom.fieldRef.fieldPath")).isEqualTo("metadata.name");
    TailstreamConfig config = ConfigLoader.parse((String) data.get("tailstream.yaml"), "configmap.yaml",
        tmp, env);
    RulesParser.parse(Files.readString(config.rulesFile()), config.rulesFile().toString());
    return config;
  }

  private static long bytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 30;
    }
    if (quantity.endsWith("Mi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 20;
    }
    throw new AssertionError("unexpected quantity " + quantity);
  }

  private static List<Map<String, Object>> docs(String file) {
    try {
      return Manifests.load(DIR.resolve(file));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static Map<String, Object> byName(List<Map<String, Object>> docs, String name) {
    return docs.stream().filter(d -> name.equals(at(d, "metadata.name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no manifest named " + name));
  }

  private static Map<String, Object> doc(String file, String kind) {
    try {
      Map<String, Object> d = Manifests.one(DIR.resolve(file));
      assertThat(d.get("kind")).as(file).isEqualTo(kind);
      return d;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
