package io.vmagent.backend.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Gives each connection that brings a request the ordinary idle timeout, then handles it. */
final class ProvenConnections extends Handler.Wrapper {
  private final ConnectionAdmission admission;

  ProvenConnections(ConnectionAdmission admission, Handler handler) {
    super(handler);
    this.admission = admission;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    admission.proven(request.getConnectionMetaData().getConnection().getEndPoint());
    return super.handle(request, response, callback);
  }
}
