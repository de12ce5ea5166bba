package io.jpilot.model.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentReaderTest {

  @Test
  void readsMultiDocumentYamlAndSkipsEmptyDocuments() {
    ReadResult r =
        DocumentReader.read(
            "a.yaml", "kind: A\n---\n# only a comment\n---\n\n---\nkind: B\nport: 9080\n");

    assertThat(r.ok()).isTrue();
    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.documents())
        .extracting(d -> d.node().get("kind").asText())
        .containsExactly("A", "B");
    assertThat(r.documents()).extracting(Document::index).containsExactly(0, 3);
    assertThat(r.documents().get(1).node().get("port").isInt()).isTrue();
  }

  @Test
  void expandsListKind() {
    ReadResult r =
        DocumentReader.read(
            "list.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n"
                + "- kind: Pod\n  metadata: {name: b}\n---\nkind: Namespace\n");

    assertThat(r.documents())
        .extracting(d -> d.node().get("kind").asText())
        .containsExactly("Service", "Pod", "Namespace");
    assertThat(r.documents()).extracting(Document::index).containsExactly(0, 0, 1);
  }

  @Test
  void malformedYamlGivesOneErrorWithLineColumnAndReason() {
    String text =
        "apiVersion: networking.istio.io/v1\n"
            + "kind: VirtualService\n"
            + "metadata:\n"
            + "  name: reviews\n"
            + "spec:\n"
            + "  hosts: [reviews]\n"
            + "  http: route: x\n";

    ReadResult r = DocumentReader.read("examples/bad.yaml", text);

    assertThat(r.ok()).isFalse();
    assertThat(r.documents()).isEmpty();
    assertThat(r.diagnostics()).hasSize(1);
    Diagnostic d = r.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.source()).isEqualTo("examples/bad.yaml");
    assertThat(d.toString())
        .isEqualTo(
            "ERROR (examples/bad.yaml): line 7, column 14: mapping values are not allowed here");
  }

  @Test
  void malformedSecondDocumentRejectsTheWholeFile() {
    ReadResult r = DocumentReader.read("x.yaml", "kind: A\n---\nlist:\n  - a\n  b: c\n");

    assertThat(r.documents()).isEmpty();
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.message())
                  .startsWith("line 5, column 3: expected <block end>, but found");
              assertThat(d.message())
                  .contains("while parsing a block collection started at line 4, column 3");
              assertThat(d.message()).doesNotContain("\n");
            });
  }

  @Test
  void duplicateKeysAreAnError() {
    ReadResult r = DocumentReader.read("dup.yaml", "metadata:\n  name: a\n  name: b\n");

    assertThat(r.ok()).isFalse();
    assertThat(r.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .contains("duplicate key \"name\"")
        .startsWith("line 3");
  }

  @Test
  void jsonFilesAreParsedAsJson() {
    ReadResult ok =
        DocumentReader.read("svc.json", "{\"kind\": \"Service\", \"spec\": {\"ports\": []}}");
    assertThat(ok.documents())
        .singleElement()
        .satisfies(d -> assertThat(d.node().get("kind").asText()).isEqualTo("Service"));

    ReadResult bad = DocumentReader.read("svc.json", "{\"kind\": \"Service\",\n \"spec\": }");
    assertThat(bad.ok()).isFalse();
    assertThat(bad.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .startsWith("line 2, column ");
  }

  @Test
  void readsFilesAndReportsUnreadableOnes(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("a.yaml");
    Files.writeString(f, "kind: A\n", StandardCharsets.UTF_8);
    assertThat(DocumentReader.read(f, "a.yaml").documents()).hasSize(1);

    ReadResult missing = DocumentReader.read(dir.resolve("nope.yaml"), "nope.yaml");
    assertThat(missing.ok()).isFalse();
    assertThat(missing.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .startsWith("cannot read file");
  }
}
