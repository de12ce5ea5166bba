package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.jpilot.envoy.EnvoyTypeRegistry;
import io.jpilot.envoy.ProtoValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Test helpers: render resources as stable YAML and check them against Envoy's schema rules. */
final class XdsYaml {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .build());
  private static final ProtoValidator VALIDATOR = new ProtoValidator();

  private XdsYaml() {}

  /** A YAML list of the resources in name order, protobuf JSON field names, Any unpacked. */
  static String toYaml(SortedMap<String, ? extends Message> resources) {
    JsonFormat.Printer printer =
        JsonFormat.printer()
            .usingTypeRegistry(
                EnvoyTypeRegistry.defaultRegistry().jsonTypeRegistry(resources.values()))
            .preservingProtoFieldNames()
            .sortingMapKeys();
    ArrayNode list = JSON.createArrayNode();
    try {
      for (Message m : resources.values()) {
        list.add(JSON.readTree(printer.print(m)));
      }
      return YAML.writeValueAsString(list);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One resource as a JSON tree (proto field names), for assertions on structure. */
  static JsonNode toJson(Message m) {
    try {
      String json =
          JsonFormat.printer()
              .usingTypeRegistry(EnvoyTypeRegistry.defaultRegistry().jsonTypeRegistry(List.of(m)))
              .preservingProtoFieldNames()
              .print(m);
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every resource passes Envoy's validate.rules. */
  static void assertValid(Map<String, ? extends Message> resources) {
    List<String> errors = new ArrayList<>();
    resources.forEach((name, m) -> VALIDATOR.validate(m).forEach(e -> errors.add(name + ": " + e)));
    assertThat(errors).as("validation errors").isEmpty();
  }
}
