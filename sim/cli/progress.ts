/**
 * A progress bar on stderr for runs that take more than a second of wall time. Only used when
 * stderr is a terminal and the output is not JSON.
 */
const SHOW_AFTER_MS = 1000;

export class ProgressBar {
  private readonly startedMs = Date.now();
  private shown = false;
  private lastDrawMs = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(simUs: number, totalUs: number): void {
    const now = Date.now();
    if (now - this.startedMs < SHOW_AFTER_MS || now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    this.shown = true;
    const frac = totalUs > 0 ? Math.min(1, simUs / totalUs) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const label = simUs > totalUs ? 'draining' : `${(simUs / 1e6).toFixed(0)}s / ${(totalUs / 1e6).toFixed(0)}s`;
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label} simulated `);
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
  }
}
