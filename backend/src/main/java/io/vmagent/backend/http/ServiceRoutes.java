package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.Versions;
import io.vmagent.backend.store.Database;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.ServiceHealth;
import io.vmagent.protocol.UpdateInfo;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** The backend itself: health, signing keys, the fleet overview and the latest agent version. */
final class ServiceRoutes {
  private static final ObjectMapper MAPPER = ProtocolJson.tolerantMapper();

  private ServiceRoutes() {}

  static List<Route> of(Routes.Services s, Callers callers) {
    return List.of(
        Route.get(ProtocolPaths.HEALTH)
            .by(Caller.ANYONE)
            .answer(x -> health(s.database(), s.clock(), s.backendVersion())),
        Route.get(ProtocolPaths.JWKS).by(Caller.ANYONE).answer(x -> keys(s.publicKeys())),
        Route.get(ProtocolPaths.STATUS_OVERVIEW)
            .by(callers.anyoneOrOperator())
            .answer(x -> Reply.ok(s.agents().overview(x.operator()))),
        Route.get(ProtocolPaths.LATEST_VERSION)
            .by(callers.operatorOrAgent())
            .answer(x -> latest(s.latestAgentVersion(), x.query("current"))));
  }

  private static Reply health(Database database, Clock clock, String backendVersion) {
    if (!database.reachable()) {
      throw new ApiException(ErrorCode.BACKEND_UNAVAILABLE, "the database does not answer");
    }
    return Reply.ok(
        new ServiceHealth("ok", clock.instant(), backendVersion, ProtocolPaths.PROTOCOL_VERSION));
  }

  private static Reply keys(Supplier<List<String>> publicKeys) throws Exception {
    ObjectNode set = MAPPER.createObjectNode();
    ArrayNode keys = set.putArray("keys");
    for (String jwk : publicKeys.get()) {
      keys.add(MAPPER.readTree(jwk));
    }
    return Reply.ok(set);
  }

  private static Reply latest(String latest, String current) {
    boolean newer = latest != null && current != null && Versions.compare(latest, current) > 0;
    return Reply.ok(new UpdateInfo(latest, current, newer));
  }
}
