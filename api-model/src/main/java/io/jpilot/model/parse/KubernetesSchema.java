package io.jpilot.model.parse;

import static io.jpilot.model.parse.Schema.Scalar.ANY;
import static io.jpilot.model.parse.Schema.Scalar.BOOL;
import static io.jpilot.model.parse.Schema.Scalar.INT32;
import static io.jpilot.model.parse.Schema.Scalar.INT_OR_STRING;
import static io.jpilot.model.parse.Schema.Scalar.STRING;

import io.jpilot.model.parse.Schema.ListOf;
import io.jpilot.model.parse.Schema.MapOf;
import io.jpilot.model.parse.Schema.Message;

/**
 * Object envelopes (apiVersion, kind, metadata) and the parts of core Kubernetes objects jpilot
 * reads. Kubernetes messages are open: fields jpilot does not read are accepted and ignored, but
 * the fields it reads must have the right shape.
 */
final class KubernetesSchema {
  private KubernetesSchema() {}

  /** ObjectMeta, closed: a misspelt metadata field (e.g. "lables") is a mistake worth reporting. */
  static final Message OBJECT_META =
      Message.builder("ObjectMeta")
          .field("name", STRING)
          .field("generateName", STRING)
          .field("namespace", STRING)
          .field("selfLink", STRING)
          .field("uid", STRING)
          .field("resourceVersion", STRING)
          .field("generation", ANY)
          .field("creationTimestamp", STRING)
          .field("deletionTimestamp", STRING)
          .field("deletionGracePeriodSeconds", ANY)
          .map("labels", STRING)
          .map("annotations", STRING)
          .field("ownerReferences", ANY)
          .field("finalizers", ANY)
          .field("managedFields", ANY)
          .build();

  /** The envelope of an Istio object: closed, so "specs:" or "Spec:" is reported. */
  static Message istioObject(Message spec) {
    return Message.builder(spec.name())
        .field("apiVersion", STRING)
        .field("kind", STRING)
        .field("metadata", OBJECT_META)
        .field("spec", spec)
        .field("status", ANY)
        .build();
  }

  static final Message SERVICE_PORT =
      Message.builder("ServicePort")
          .field("name", STRING)
          .required("port", INT32)
          .field("targetPort", INT_OR_STRING)
          .field("protocol", STRING)
          .field("appProtocol", STRING)
          .field("nodePort", INT32)
          .open()
          .build();

  static final Message SERVICE_SPEC =
      Message.builder("ServiceSpec")
          .list("ports", SERVICE_PORT)
          .map("selector", STRING)
          .field("clusterIP", STRING)
          .list("clusterIPs", STRING)
          .field("type", STRING)
          .open()
          .build();

  static final Message SERVICE =
      Message.builder("Service")
          .field("metadata", OBJECT_META)
          .field("spec", SERVICE_SPEC)
          .open()
          .build();

  static final Message OBJECT_REFERENCE =
      Message.builder("ObjectReference")
          .field("kind", STRING)
          .field("name", STRING)
          .field("namespace", STRING)
          .open()
          .build();

  static final Message ENDPOINT_CONDITIONS =
      Message.builder("EndpointConditions")
          .field("ready", BOOL)
          .field("serving", BOOL)
          .field("terminating", BOOL)
          .open()
          .build();

  static final Message ENDPOINT =
      Message.builder("Endpoint")
          .required("addresses", new ListOf(STRING))
          .field("conditions", ENDPOINT_CONDITIONS)
          .field("hostname", STRING)
          .field("nodeName", STRING)
          .field("zone", STRING)
          .field("targetRef", OBJECT_REFERENCE)
          .open()
          .build();

  static final Message ENDPOINT_PORT =
      Message.builder("EndpointPort")
          .field("name", STRING)
          .field("port", INT32)
          .field("protocol", STRING)
          .field("appProtocol", STRING)
          .open()
          .build();

  static final Message ENDPOINT_SLICE =
      Message.builder("EndpointSlice")
          .field("metadata", OBJECT_META)
          .field("addressType", STRING)
          .list("endpoints", ENDPOINT)
          .list("ports", ENDPOINT_PORT)
          .open()
          .build();

  static final Message POD_IP = Message.builder("PodIP").field("ip", STRING).open().build();

  static final Message POD_SPEC =
      Message.builder("PodSpec").field("nodeName", STRING).open().build();

  static final Message POD_STATUS =
      Message.builder("PodStatus").field("podIP", STRING).list("podIPs", POD_IP).open().build();

  static final Message POD =
      Message.builder("Pod")
          .field("metadata", OBJECT_META)
          .field("spec", POD_SPEC)
          .field("status", POD_STATUS)
          .open()
          .build();

  static final Message NAMESPACE =
      Message.builder("Namespace").field("metadata", OBJECT_META).open().build();

  static final MapOf STRING_MAP = new MapOf(STRING);
}
