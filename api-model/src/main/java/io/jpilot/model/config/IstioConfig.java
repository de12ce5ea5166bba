package io.jpilot.model.config;

import io.jpilot.model.MeshObject;

/** An Istio config object held by the config store. */
public sealed interface IstioConfig extends MeshObject
    permits VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, Sidecar, Gateway {
  ConfigMeta meta();

  @Override
  default ConfigKey key() {
    return meta().key();
  }
}
