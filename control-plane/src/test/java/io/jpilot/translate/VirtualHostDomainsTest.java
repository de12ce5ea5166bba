package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expectations from istiod's TestGenerateVirtualHostDomains, plus the proxyless form. */
class VirtualHostDomainsTest {
  private static Service svc(String host, String vip) {
    return new Service(
        host,
        host.substring(0, host.indexOf('.')),
        "default",
        vip,
        List.of(new ServicePort("http", 80, 80, "", Protocol.HTTP)),
        Map.of(),
        Map.of());
  }

  @Test
  void sameNamespaceSidecar() {
    assertThat(
            VirtualHostDomains.SIDECAR.forService(
                svc("echo.default.svc.cluster.local", "1.2.3.4"), 80, "default.svc.cluster.local"))
        .containsExactly(
            "echo.default.svc.cluster.local",
            "echo.default.svc.cluster.local.",
            "echo",
            "echo.default.svc",
            "echo.default",
            "1.2.3.4");
  }

  @Test
  void otherNamespaceSidecar() {
    assertThat(
            VirtualHostDomains.SIDECAR.forService(
                svc("echo.default.svc.cluster.local", "1.2.3.4"), 80, "other.svc.cluster.local"))
        .containsExactly(
            "echo.default.svc.cluster.local",
            "echo.default.svc.cluster.local.",
            "echo.default",
            "echo.default.svc",
            "1.2.3.4");
  }

  @Test
  void nonKubernetesHostIsNotShortened() {
    assertThat(
            VirtualHostDomains.SIDECAR.forService(
                svc("api.example.com", "1.2.3.5"), 80, "default.svc.cluster.local"))
        .containsExactly("api.example.com", "api.example.com.", "1.2.3.5");
  }

  @Test
  void nonKubernetesProxyDomainSharesSuffixes() {
    // istiod's example: foo.local.campus.net seen from local.campus.net
    assertThat(VirtualHostDomains.SIDECAR.altHosts("foo.local.campus.net", 80, "local.campus.net"))
        .containsExactly("foo.local.campus.net.", "foo");
    assertThat(VirtualHostDomains.SIDECAR.altHosts("foo.local.campus.net", 80, "remote.campus.net"))
        .containsExactly("foo.local.campus.net.", "foo.local", "foo.local.campus");
  }

  @Test
  void headlessServicesGetWildcardCopiesAndNoVip() {
    assertThat(
            VirtualHostDomains.SIDECAR.forService(
                svc("db.default.svc.cluster.local", "None"), 80, "default.svc.cluster.local"))
        .containsExactly(
            "db.default.svc.cluster.local",
            "db.default.svc.cluster.local.",
            "db",
            "db.default.svc",
            "db.default",
            "*.db.default.svc.cluster.local",
            "*.db.default.svc.cluster.local.",
            "*.db",
            "*.db.default.svc",
            "*.db.default");
  }

  @Test
  void proxylessFormsCarryThePortAndBracketIpv6() {
    assertThat(
            VirtualHostDomains.GRPC.forService(
                svc("echo.default.svc.cluster.local", "fd00::1"), 7070, "other.svc.cluster.local"))
        .containsExactly(
            "echo.default.svc.cluster.local",
            "echo.default.svc.cluster.local:7070",
            "echo.default",
            "echo.default:7070",
            "echo.default.svc",
            "echo.default.svc:7070",
            "[fd00::1]",
            "[fd00::1]:7070");
  }
}
