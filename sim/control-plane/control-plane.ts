/**
 * istiod as the rest of the simulator sees it: given the registry and the config in force, the
 * tables each proxy should hold, the diagnostics found while compiling, and rule names for reports.
 * A new ControlPlane is built for every config change; proxies with the same view share tables.
 */
import type { Diagnostic } from '../domain/diagnostics.ts';
import { compileProxyConfig, type CompileContext } from './compile.ts';
import type { PodInfo } from './registry.ts';
import type { ProxyConfig } from './types.ts';

export class ControlPlane {
  readonly ctx: CompileContext;
  readonly version: number;
  /** Problems found while compiling (IST/KIA codes), reported once per config version. */
  readonly diagnostics: Diagnostic[] = [];
  private shared: ProxyConfig | null = null;

  constructor(ctx: CompileContext, version: number) {
    this.ctx = ctx;
    this.version = version;
  }

  /** The config `pod`'s sidecar gets at this version. */
  configFor(_pod: PodInfo): ProxyConfig {
    // Without VirtualServices every sidecar sees the same tables.
    return (this.shared ??= compileProxyConfig(this.ctx, this.version));
  }

  /** Name of an http rule for reports ("" when unnamed). */
  ruleName(_vs: string, _rule: number): string {
    return '';
  }
}
