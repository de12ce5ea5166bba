package io.jpilot.xds;

import com.google.protobuf.UnknownFieldSet;
import io.jpilot.push.XdsResource;

/**
 * Puts already serialized resources into a response without decoding them: each becomes a
 * length-delimited value of the response's resource field, which is exactly how protobuf encodes a
 * repeated {@code Any} field, so clients read ordinary {@code resources}. The bytes are the ones
 * the resource cache holds and share across proxies; nothing is re-encoded per response.
 */
final class WireResources {
  private WireResources() {}

  /** An unknown-field set holding {@code resources} as values of field {@code number}. */
  static UnknownFieldSet asField(int number, Iterable<XdsResource> resources) {
    UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
    for (XdsResource r : resources) {
      field.addLengthDelimited(r.encoded());
    }
    return UnknownFieldSet.newBuilder().addField(number, field.build()).build();
  }
}
