/**
 * The wire contract between the vm-agent host agent and its backend: the OpenAPI document ({@link
 * io.vmagent.protocol.ProtocolPaths#OPENAPI_RESOURCE}), one record per message, the paths, the
 * error codes and the JSON configuration both sides use.
 */
package io.vmagent.protocol;
