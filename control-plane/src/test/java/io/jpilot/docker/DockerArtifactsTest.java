package io.jpilot.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.jpilot.k8s.KubernetesSource;
import io.jpilot.k8s.WatchedKind;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker/ without a Docker engine or a cluster: the manifests are the
 * Kubernetes objects they claim to be, they apply to an API server, their RBAC allows exactly what
 * the watcher does, and the image is built from the jar the build produces.
 */
class DockerArtifactsTest {
  private static final Path ROOT = Path.of(System.getProperty("jpilot.repoRoot"));
  private static final Path DOCKER = ROOT.resolve("docker");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Class<? extends HasMetadata>> TYPES =
      Map.of(
          "Namespace", Namespace.class,
          "ServiceAccount", ServiceAccount.class,
          "ClusterRole", ClusterRole.class,
          "ClusterRoleBinding", ClusterRoleBinding.class,
          "Deployment", Deployment.class,
          "Service", Service.class);

  /** Every document of every manifest, as read (JSON tree) and as its fabric8 class. */
  private record Manifest(Path file, JsonNode raw, HasMetadata object) {}

  private static List<Manifest> manifests() throws IOException {
    List<Manifest> out = new ArrayList<>();
    List<Path> files;
    try (var list = Files.list(DOCKER.resolve("kubernetes"))) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path f : files) {
      try (var parser = YAML.getFactory().createParser(f.toFile())) {
        for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
          if (doc == null || doc.isNull()) {
            continue;
          }
          Class<? extends HasMetadata> type = TYPES.get(doc.path("kind").asText());
          assertThat(type).as("%s: kind %s", f, doc.path("kind")).isNotNull();
          out.add(new Manifest(f, doc, Serialization.jsonMapper().treeToValue(doc, type)));
        }
      }
    }
    return out;
  }

  /** Paths of every additionalProperties entry in a fabric8 model object graph. */
  private static void unknownFields(Object o, String path, List<String> out) {
    if (o == null) {
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
      return;
    }
    if (o instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        unknownFields(list.get(i), path + "[" + i + "]", out);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (java.lang.reflect.Method getter : o.getClass().getMethods()) {
      String name = getter.getName();
      if (getter.getParameterCount() != 0
          || !name.startsWith("get")
          || name.equals("getClass")
          || java.lang.reflect.Modifier.isStatic(getter.getModifiers())) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (name.equals("getAdditionalProperties")) {
        ((Map<?, ?>) value).keySet().forEach(k -> out.add(path + "." + k));
      } else if (!(value instanceof String) && !(value instanceof Number)) {
        unknownFields(value, path + "." + name.substring(3), out);
      }
    }
  }

  private static JsonNode reparse(JsonNode node) throws IOException {
    ObjectMapper json = new ObjectMapper();
    return json.readTree(json.writeValueAsString(node));
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T only(List<Manifest> manifests, Class<T> type) {
    List<T> found =
        manifests.stream().map(Manifest::object).filter(type::isInstance).map(o -> (T) o).toList();
    assertThat(found).as("%s manifests", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  @Test
  void manifestsAreTheObjectsTheyClaimWithNothingUnknown() throws IOException {
    List<Manifest> manifests = manifests();
    assertThat(manifests)
        .extracting(m -> m.object().getKind())
        .containsExactlyInAnyOrder(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Service");
    for (Manifest m : manifests) {
      // a field fabric8's model does not know (a typo, a wrong level) lands in
      // additionalProperties; none may be there
      List<String> unknown = new ArrayList<>();
      unknownFields(m.object(), m.object().getKind(), unknown);
      assertThat(unknown).as("fields unknown to the Kubernetes model in %s", m.file()).isEmpty();
      // and nothing is lost or changed when the object is written back out
      // (compared as JSON text parsed again, so that 1337 as an int and as a long are equal)
      JsonNode roundTrip = reparse(Serialization.jsonMapper().valueToTree(m.object()));
      assertThat(roundTrip)
          .as("%s %s read back", m.file(), m.object().getKind())
          .isEqualTo(reparse(m.raw()));
      assertThat(m.object().getApiVersion())
          .isEqualTo(HasMetadata.getApiVersion(m.object().getClass()));
    }
  }

  @Test
  void manifestsApplyToAnApiServer() throws IOException {
    List<Manifest> manifests = manifests();
    KubernetesMockServer crud =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    crud.init(InetAddress.getByName("127.0.0.1"), 0);
    try (KubernetesClient client = crud.createClient()) {
      for (Manifest m : manifests) {
        HasMetadata created = client.resource(m.object()).create();
        assertThat(created.getMetadata().getUid())
            .as("uid of %s", m.object().getKind())
            .isNotNull();
      }
      Deployment d =
          client.apps().deployments().inNamespace("istio-system").withName("jpilot").get();
      assertThat(d).isNotNull();
      assertThat(client.services().inNamespace("istio-system").withName("istiod").get())
          .isNotNull();
      assertThat(client.rbac().clusterRoles().withName("jpilot").get()).isNotNull();
    } finally {
      crud.destroy();
    }
  }

  @Test
  void rbacAllowsExactlyWhatTheWatcherDoes() throws IOException {
    List<Manifest> manifests = manifests();
    ClusterRole role = only(manifests, ClusterRole.class);
    ClusterRoleBinding binding = only(manifests, ClusterRoleBinding.class);
    ServiceAccount account = only(manifests, ServiceAccount.class);
    Deployment deployment = only(manifests, Deployment.class);

    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getResourceNames()).as("rules name no single objects").isEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    Set<String> needed = new TreeSet<>();
    // every kind the watcher knows, not only those it reads today: new kinds need no RBAC change
    for (WatchedKind kind : WatchedKind.catalogue()) {
      for (String verb : KubernetesSource.verbs()) {
        needed.add(kind.group() + "/" + kind.plural() + ":" + verb);
      }
    }
    assertThat(KubernetesSource.verbs()).containsExactlyInAnyOrder("list", "watch");
    assertThat(granted).as("granted by ClusterRole jpilot").isEqualTo(needed);

    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
            });
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(account.getMetadata().getName());
    assertThat(deployment.getMetadata().getNamespace())
        .isEqualTo(account.getMetadata().getNamespace());
  }

  @Test
  void deploymentIsProbedLimitedAndNonRootAndTheIstiodServiceReachesIt() throws IOException {
    List<Manifest> manifests = manifests();
    Deployment deployment = only(manifests, Deployment.class);
    Service service = only(manifests, Service.class);
    Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
    assertThat(c.getArgs()).containsSubsequence("--http-port", "8080");
    assertThat(c.getArgs()).containsSubsequence("--bind", "0.0.0.0");
    assertThat(c.getLivenessProbe()).isNotNull();
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

    Set<Integer> containerPorts =
        c.getPorts().stream().map(ContainerPort::getContainerPort).collect(Collectors.toSet());
    assertThat(containerPorts).containsExactlyInAnyOrder(15010, 15012, 15014, 8080);

    assertThat(service.getMetadata().getName()).isEqualTo("istiod");
    assertThat(service.getMetadata().getNamespace()).isEqualTo("istio-system");
    assertThat(service.getSpec().getSelector())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    // istiod's port names and numbers, so proxies configured for istiod find them
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort)
        .contains(
            org.assertj.core.groups.Tuple.tuple("grpc-xds", 15010),
            org.assertj.core.groups.Tuple.tuple("https-dns", 15012),
            org.assertj.core.groups.Tuple.tuple("http-monitoring", 15014));
    for (ServicePort p : service.getSpec().getPorts()) {
      assertThat(containerPorts).contains(p.getTargetPort().getIntVal());
    }
  }

  @Test
  void dockerfileCopiesTheJarTheBuildProducesAndRunsItUnprivileged() throws IOException {
    String pom = Files.readString(ROOT.resolve("control-plane/pom.xml"));
    Matcher out =
        Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>")
            .matcher(pom);
    assertThat(out.find()).as("the shade plugin's outputFile in control-plane/pom.xml").isTrue();
    String builtJar = "control-plane/target/" + out.group(1);

    List<String> lines =
        Files.readAllLines(DOCKER.resolve("Dockerfile")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    String from = lines.stream().filter(l -> l.startsWith("FROM ")).findFirst().orElseThrow();
    assertThat(from).contains("jre");
    String copy = lines.stream().filter(l -> l.startsWith("COPY ")).findFirst().orElseThrow();
    String[] copyArgs = copy.split("\\s+");
    assertThat(copyArgs[1]).as("COPY source").isEqualTo(builtJar);
    String entrypoint =
        lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
    assertThat(entrypoint).contains("\"-jar\", \"" + copyArgs[2] + "\"");
    String user =
        lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user.substring(5).split(":")[0]).isNotIn("0", "root");
    assertThat(lines.indexOf(user))
        .as("USER comes before the entrypoint")
        .isLessThan(lines.indexOf(entrypoint));
    Set<String> exposed = new TreeSet<>();
    lines.stream()
        .filter(l -> l.startsWith("EXPOSE "))
        .forEach(l -> exposed.addAll(List.of(l.substring(7).strip().split("\\s+"))));
    assertThat(exposed).containsExactlyInAnyOrder("15010", "15012", "15014", "8080");

    // the Deployment runs as the image's user
    Deployment deployment = only(manifests(), Deployment.class);
    assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
        .isEqualTo(Long.parseLong(user.substring(5).split(":")[0]));
    // the build context is the repository root; only the jar is sent to the builder
    List<String> ignore = Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore"));
    assertThat(ignore).contains("*", "!" + builtJar);
  }
}
