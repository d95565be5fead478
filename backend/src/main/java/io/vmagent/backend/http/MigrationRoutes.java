package io.vmagent.backend.http;

import io.vmagent.backend.service.Migrations;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.ProtocolPaths;
import java.util.List;

/** Migrations: an operator begins one and follows it. */
final class MigrationRoutes {
  private MigrationRoutes() {}

  static List<Route> of(Migrations migrations, Callers callers, int maxBodyBytes) {
    return List.of(
        Route.post(ProtocolPaths.OPERATOR_MIGRATIONS)
            .by(callers.operator())
            .answer(
                Body.of(MigrateRequest.class, maxBodyBytes),
                (x, request) ->
                    Reply.created(
                        migrations.begin(
                            request.vm(),
                            request.sourceAgent(),
                            request.destinationAgent(),
                            request.options()))),
        Route.get(ProtocolPaths.OPERATOR_MIGRATION)
            .by(callers.operator())
            .answer(x -> Reply.ok(migrations.view(x.pathParam("migrationId")))));
  }
}
