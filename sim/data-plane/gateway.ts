/**
 * Gateway pods have a proxy and no application (istio-semantics.md §4): what reaches them is routed
 * onward by the gateway's own Envoy with the VirtualServices bound to its Gateways. This handler
 * sits in front of the applications: for a gateway pod it sends the request out through the pod's
 * proxy (Host header and the listener port it arrived on select the vhost) and answers with the
 * outcome; every other pod's request goes to the applications as before.
 */
import type { PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';
import { authorityHost } from '../control-plane/gateway.ts';
import type { InboundCall, InboundHandler, OutboundCaller, OutboundClient } from '../domain/ports.ts';

class Forward implements OutboundCaller {
  readonly call: InboundCall;
  constructor(call: InboundCall) {
    this.call = call;
  }
  onResponse(status: number): void {
    // An upstream reset seen by the gateway becomes 503 for its downstream (Envoy's local reply).
    this.call.respond(status === 0 ? 503 : status);
  }
}

export class GatewayInbound implements InboundHandler {
  private readonly client: OutboundClient;
  private readonly next: InboundHandler;
  constructor(client: OutboundClient, next: InboundHandler) {
    this.client = client;
    this.next = next;
  }

  handle(pod: PodInfo, call: InboundCall): void {
    if (!pod.gateway) {
      this.next.handle(pod, call);
      return;
    }
    const h = call.head;
    // The data plane's attempts carry the workload port they were sent to (the listener port).
    const port = (call as { port?: number }).port;
    const head: RequestHead = {
      method: h.method,
      scheme: h.scheme,
      host: authorityHost(h),
      port: typeof port === 'number' && port > 0 ? port : h.port,
      path: h.path,
      query: h.query,
      headers: new Map(h.headers),
    };
    this.client.send(pod, pod.deployment, head, call.root, new Forward(call), call.streamId);
  }
}
