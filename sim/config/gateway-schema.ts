/**
 * zod schema and spec shape for networking.istio.io Gateway (istio-semantics.md §4), plus the
 * checks istiod's validating webhook applies. Dispatched from manifests.ts through GATEWAY_KINDS.
 * SRC: istio/api networking/v1alpha3/gateway.proto; istio/istio pkg/config/validation.
 */
import { z } from 'zod';
import type { ExtraKind } from './security-schema.ts';
import type { ResourceMeta } from './types.ts';

const str = z.string();
const strList = z.array(z.string());

const serverTls = z.looseObject({
  httpsRedirect: z.boolean().optional(),
  mode: z.enum(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']).optional(),
  credentialName: str.optional(),
});

const server = z.strictObject({
  port: z.strictObject({ number: z.number().int().min(1).max(65535), protocol: str, name: str.optional(), targetPort: z.number().int().optional() }),
  hosts: z.array(z.string().min(1)).min(1),
  tls: serverTls.optional(),
  bind: str.optional(),
  defaultEndpoint: str.optional(),
  name: str.optional(),
});

export const gatewaySpecSchema = z.strictObject({
  selector: z.record(z.string(), z.string()).optional(),
  servers: z.array(server).optional(),
});

export type GatewayServer = z.infer<typeof server>;
export type GatewaySpec = z.infer<typeof gatewaySpecSchema>;

export interface GatewayResource {
  kind: 'Gateway';
  meta: ResourceMeta;
  spec: GatewaySpec;
}

const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'MONGO', 'TCP', 'TLS'];

export const GATEWAY_KINDS: Record<string, ExtraKind> = {
  Gateway: {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    spec: gatewaySpecSchema,
    build(spec, meta, emit) {
      const s = spec as GatewaySpec;
      (s.servers ?? []).forEach((srv, i) => {
        if (!PROTOCOLS.includes(srv.port.protocol.toUpperCase())) emit(['spec', 'servers', i, 'port', 'protocol'], `unknown protocol '${srv.port.protocol}' (one of ${PROTOCOLS.join(', ')})`);
        srv.hosts.forEach((h, j) => {
          const slash = h.indexOf('/');
          const dns = slash < 0 ? h : h.slice(slash + 1);
          if (dns === '' || (dns !== '*' && dns.slice(1).includes('*'))) emit(['spec', 'servers', i, 'hosts', j], `host '${h}' must be [namespace/]dnsName with at most a leading '*'`);
        });
      });
      return { kind: 'Gateway', meta, spec: s };
    },
  },
};
