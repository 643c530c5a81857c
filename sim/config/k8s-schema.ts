/**
 * zod schemas for the Kubernetes kinds meshsim models. Strict where the API server rejects
 * unknown fields and meshsim reads the object (Deployment spec, selectors); lenient where real
 * manifests carry fields meshsim does not model (container details, pod spec, Service type…).
 */
import { z } from 'zod';
import { MAX_REPLICAS } from './limits.ts';

const int = z.number().int();
const strMap = z.record(z.string(), z.string());

export const metadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  labels: strMap.nullish(),
  annotations: strMap.nullish(),
});

const status = z.unknown().optional();

export const namespaceSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.literal('Namespace'),
  metadata: metadataSchema,
  spec: z.looseObject({}).optional(),
  status,
});

export const serviceAccountSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.literal('ServiceAccount'),
  metadata: metadataSchema,
  secrets: z.array(z.unknown()).optional(),
  imagePullSecrets: z.array(z.unknown()).optional(),
  automountServiceAccountToken: z.boolean().optional(),
});

const servicePortSchema = z.looseObject({
  name: z.string().optional(),
  port: int.min(1).max(65535),
  targetPort: z.union([int.min(1).max(65535), z.string().min(1)]).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().optional(),
  nodePort: int.optional(),
});

export const serviceSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.literal('Service'),
  metadata: metadataSchema,
  spec: z.looseObject({
    selector: strMap.nullish(),
    ports: z.array(servicePortSchema).nullish(),
  }),
  status,
});

const containerPortSchema = z.looseObject({
  containerPort: int.min(1).max(65535),
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

export const deploymentSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.literal('Deployment'),
  metadata: metadataSchema,
  spec: z.strictObject({
    replicas: int
      .min(0)
      .max(MAX_REPLICAS, { error: (iss) => `replicas ${String(iss.input)} is above meshsim's limit of ${MAX_REPLICAS} per Deployment (every replica is simulated as a pod with its sidecar)` })
      .optional(),
    selector: z.strictObject({
      matchLabels: strMap.optional(),
      matchExpressions: z.array(z.unknown()).optional(),
    }),
    template: z.strictObject({
      metadata: z.looseObject({ labels: strMap.nullish(), annotations: strMap.nullish() }).optional(),
      spec: z.looseObject({
        serviceAccountName: z.string().optional(),
        serviceAccount: z.string().optional(),
        // Node labels stand-in: meshsim has no nodes, so topology.* keys here give the pod its locality (manifests.ts).
        nodeSelector: strMap.nullish(),
        containers: z.array(z.looseObject({ name: z.string().optional(), ports: z.array(containerPortSchema).nullish() })).min(1),
      }),
    }),
    strategy: z.unknown().optional(),
    minReadySeconds: int.min(0).optional(),
    revisionHistoryLimit: int.min(0).optional(),
    progressDeadlineSeconds: int.min(0).optional(),
    paused: z.boolean().optional(),
  }),
  status,
});

export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
