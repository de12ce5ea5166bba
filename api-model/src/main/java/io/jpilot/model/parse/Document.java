package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One document of a config file.
 *
 * @param index the document's position in its file (0-based, counting empty documents); the items
 *     of a {@code kind: List} share their list's index
 */
public record Document(int index, JsonNode node) {
  public Document {
    requireNonNull(node, "node");
  }
}
