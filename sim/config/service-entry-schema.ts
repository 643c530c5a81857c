/**
 * zod schema and spec shape for networking.istio.io ServiceEntry (istio-semantics.md §3).
 * Dispatched from manifests.ts through SERVICE_ENTRY_KINDS.
 * SRC: istio/api networking/v1alpha3/service_entry.proto.
 */
import { z } from 'zod';
import type { ExtraKind } from './security-schema.ts';
import type { ResourceMeta } from './types.ts';

const str = z.string();
const strList = z.array(z.string());
const strMap = z.record(z.string(), z.string());

const port = z.strictObject({ number: z.number().int().min(1).max(65535), protocol: str.optional(), name: z.string().min(1), targetPort: z.number().int().min(1).max(65535).optional() });
const workloadEntry = z.strictObject({
  address: str.optional(),
  ports: z.record(z.string(), z.number().int()).optional(),
  labels: strMap.optional(),
  network: str.optional(),
  locality: str.optional(),
  weight: z.number().int().optional(),
  serviceAccount: str.optional(),
});

export const serviceEntrySpecSchema = z.strictObject({
  hosts: z.array(z.string().min(1)).min(1),
  addresses: strList.optional(),
  ports: z.array(port).optional(),
  location: z.enum(['MESH_EXTERNAL', 'MESH_INTERNAL']).optional(),
  resolution: z.enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS']).optional(),
  endpoints: z.array(workloadEntry).optional(),
  workloadSelector: z.strictObject({ labels: strMap.optional() }).optional(),
  exportTo: strList.optional(),
  subjectAltNames: strList.optional(),
});

export type ServiceEntrySpec = z.infer<typeof serviceEntrySpecSchema>;

export interface ServiceEntryResource {
  kind: 'ServiceEntry';
  meta: ResourceMeta;
  spec: ServiceEntrySpec;
}

export const SERVICE_ENTRY_KINDS: Record<string, ExtraKind> = {
  ServiceEntry: {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    spec: serviceEntrySpecSchema,
    build(spec, meta, emit) {
      const s = spec as ServiceEntrySpec;
      s.hosts.forEach((h, i) => {
        if (h === '*') emit(['spec', 'hosts', i], "host '*' is not allowed in a ServiceEntry");
      });
      if (s.endpoints && s.workloadSelector) emit(['spec', 'workloadSelector'], 'endpoints and workloadSelector are mutually exclusive');
      if (s.workloadSelector && (s.location ?? 'MESH_EXTERNAL') === 'MESH_EXTERNAL') emit(['spec', 'workloadSelector'], 'workloadSelector is only allowed with location MESH_INTERNAL');
      const names = new Set<string>();
      (s.ports ?? []).forEach((p, i) => {
        if (names.has(p.name)) emit(['spec', 'ports', i, 'name'], `duplicate port name '${p.name}'`);
        names.add(p.name);
      });
      return { kind: 'ServiceEntry', meta, spec: s };
    },
  },
};
