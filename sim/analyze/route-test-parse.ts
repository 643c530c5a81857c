/**
 * istio-config-validator's test-case YAML, read unchanged (peers.md §2.1): a document with
 * `testCases` (its older fixtures spell it `TestCases`) holding {description, wantMatch, request,
 * route, rewrite, redirect, fault, headers, delegate}. The request's lists expand into their cross
 * product, one input each. Field names are checked strictly so a typo is an error, not a test that
 * silently asserts nothing.
 */
import { z } from 'zod';
import type { Diagnostic, SourceLocation } from '../domain/diagnostics.ts';
import { CODES } from '../config/codes.ts';
import { issuesToDiagnostics } from '../config/issues.ts';
import { locate, parseYamlDocuments } from '../config/yaml-source.ts';
import type { Delegate, HTTPFaultInjection, HTTPRedirect, HTTPRewrite, HTTPRouteDestination, Headers } from '../config/istio-types.ts';

const strList = z.array(z.string());

const requestSchema = z.strictObject({
  authority: strList.min(1),
  method: strList.optional(),
  uri: strList.min(1),
  headers: z.record(z.string(), z.string()).optional(),
  // Beyond the tool: query parameters as a map ("key:" with no value sends `?key`).
  queryParams: z.record(z.string(), z.string().nullable()).optional(),
});

// Istio shapes are compared as written, so they stay loose here; routing validates them in the config.
const loose = z.looseObject({});

const testCaseSchema = z.strictObject({
  description: z.string(),
  wantMatch: z.boolean().optional(),
  request: requestSchema,
  route: z.array(loose).optional(),
  rewrite: loose.optional(),
  redirect: loose.optional(),
  fault: loose.optional(),
  headers: loose.optional(),
  delegate: loose.optional(),
});

const fileSchema = z.union([z.strictObject({ testCases: z.array(testCaseSchema) }), z.strictObject({ TestCases: z.array(testCaseSchema) })]);

export interface RouteTestCase {
  description: string;
  /** Default true, as in the tool. */
  wantMatch: boolean;
  request: z.infer<typeof requestSchema>;
  route?: HTTPRouteDestination[];
  rewrite?: HTTPRewrite;
  redirect?: HTTPRedirect;
  fault?: HTTPFaultInjection;
  headers?: Headers;
  delegate?: Delegate;
  source: SourceLocation;
}

export interface RouteTestInput {
  authority: string;
  method: string;
  uri: string;
  headers: Record<string, string>;
  queryParams: Record<string, string | null>;
}

/** Test cases of one file; diagnostics (MSH0001 broken YAML, MSH0010 wrong field) instead of throwing. */
export function parseRouteTests(text: string, file: string): { cases: RouteTestCase[]; diagnostics: Diagnostic[] } {
  const { docs, diagnostics } = parseYamlDocuments(text, file);
  const cases: RouteTestCase[] = [];
  for (const doc of docs) {
    const parsed = fileSchema.safeParse(doc.value);
    if (!parsed.success) {
      // The union hides which branch was meant; report against the spelling the file used.
      const key = doc.value && typeof doc.value === 'object' && 'TestCases' in doc.value ? 'TestCases' : 'testCases';
      const schema = z.strictObject({ [key]: z.array(testCaseSchema) });
      const again = schema.safeParse(doc.value);
      const issues = again.success ? parsed.error.issues : again.error.issues;
      diagnostics.push(...issuesToDiagnostics(issues, { resource: 'route tests', index: doc.index, base: [], schema, code: CODES.scenario }));
      continue;
    }
    const key = 'testCases' in parsed.data ? 'testCases' : 'TestCases';
    const list = 'testCases' in parsed.data ? parsed.data.testCases : parsed.data.TestCases;
    list.forEach((c, i) => {
      cases.push({
        ...(c as Omit<RouteTestCase, 'wantMatch' | 'source'>),
        wantMatch: c.wantMatch ?? true,
        source: locate(doc.index, [key, i]) ?? doc.start,
      });
    });
  }
  return { cases, diagnostics };
}

/** The cross product authority × method × uri, in the order the tool prints it. */
export function expandRequests(c: RouteTestCase): RouteTestInput[] {
  const out: RouteTestInput[] = [];
  const methods = c.request.method && c.request.method.length > 0 ? c.request.method : ['GET'];
  for (const authority of c.request.authority) {
    for (const method of methods) {
      for (const uri of c.request.uri) out.push({ authority, method, uri, headers: c.request.headers ?? {}, queryParams: c.request.queryParams ?? {} });
    }
  }
  return out;
}
