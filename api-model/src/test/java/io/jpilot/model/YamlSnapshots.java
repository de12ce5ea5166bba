package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;

/** Builds snapshots from YAML documents, failing on any parse error. */
final class YamlSnapshots {
  private YamlSnapshots() {}

  static MeshSnapshot of(String yaml) {
    ParsedFile f = ConfigFileParser.parse("test.yaml", yaml, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    assertThat(f.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    return MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, f.objects());
  }

  static String service(String name, String ns, String selectorApp, int port, String portName) {
    return """
           apiVersion: v1
           kind: Service
           metadata: {name: %1$s, namespace: %2$s}
           spec:
             clusterIP: 10.96.0.50
             selector: {app: %3$s}
             ports:
             - {name: %5$s, port: %4$d, targetPort: %4$d}
           ---
           """
        .formatted(name, ns, selectorApp, port, portName);
  }

  static String pod(String name, String ns, String ip, String labels) {
    return """
           apiVersion: v1
           kind: Pod
           metadata: {name: %1$s, namespace: %2$s, labels: %4$s}
           spec:
             serviceAccountName: %1$s-sa
             containers:
             - name: app
               ports: [{name: web, containerPort: 8081}]
           status: {podIP: %3$s}
           ---
           """
        .formatted(name, ns, ip, labels);
  }
}
