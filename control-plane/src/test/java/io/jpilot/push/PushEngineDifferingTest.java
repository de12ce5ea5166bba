package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ConfigFileParser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The objects a full push compares: added, removed and changed keys, equal copies left out. */
class PushEngineDifferingTest {
  private static MeshObject service(String name, String ip) {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: a}
        spec:
          clusterIP: %s
          ports: [{name: http, port: 8080}]
        """
            .formatted(name, ip);
    return ConfigFileParser.parse("s.yaml", yaml, "cluster.local").objects().get(0);
  }

  private static Map<ConfigKey, MeshObject> byKey(MeshObject... objects) {
    Map<ConfigKey, MeshObject> out = new HashMap<>();
    for (MeshObject o : objects) {
      out.put(o.key(), o);
    }
    return out;
  }

  @Test
  void addedRemovedAndChangedKeysDiffer() {
    MeshObject web = service("web", "10.0.0.1");
    MeshObject api = service("api", "10.0.0.2");
    MeshObject db = service("db", "10.0.0.3");
    MeshObject cart = service("cart", "10.0.0.4");

    assertThat(PushEngine.differing(byKey(web, api), byKey(web, api))).isEmpty();
    assertThat(PushEngine.differing(byKey(web, api), byKey(service("web", "10.0.0.1"), api)))
        .as("an equal copy")
        .isEmpty();
    assertThat(PushEngine.differing(byKey(web, api), byKey(service("web", "10.0.0.9"), api)))
        .containsExactly(web.key());
    assertThat(PushEngine.differing(byKey(web, api), byKey(web, api, db)))
        .containsExactly(db.key());
    assertThat(PushEngine.differing(byKey(web, api, db), byKey(web, api)))
        .containsExactly(db.key());
    // as many objects before and after, one removed and one added
    assertThat(PushEngine.differing(byKey(web, api, db), byKey(web, api, cart)))
        .containsExactlyInAnyOrder(db.key(), cart.key());
    assertThat(PushEngine.differing(byKey(), byKey(web))).containsExactly(web.key());
    assertThat(PushEngine.differing(byKey(web), byKey())).containsExactly(web.key());
  }
}
