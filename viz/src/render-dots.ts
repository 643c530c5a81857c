/**
 * Requests on the wire as dots moving along their edges, drawn on a canvas laid over the graph's
 * SVG (a canvas redraws 2,000 dots in well under a millisecond; as many SVG elements would not
 * hold 60 frames per second). Successful attempts are small dots, failed ones (5xx, no response)
 * red diamonds. Clicks are hit-tested here against the last frame's dots.
 */
import type { Layout } from './layout.ts';

export interface Dot {
  x: number;
  y: number;
  error: boolean;
  /** Upstream row the dot stands for. */
  row: number;
}

export class DotsLayer {
  readonly canvas: HTMLCanvasElement;
  private dots: Dot[] = [];
  private scale = 1;
  private offsetX = 0;
  private offsetY = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly layout: Layout,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'dots';
    this.canvas.setAttribute('aria-hidden', 'true');
    host.style.position = 'relative';
    host.append(this.canvas);
  }

  /** Keeps the canvas exactly over the SVG (it scales with the page width). */
  private fit(): CanvasRenderingContext2D | null {
    const svg = this.host.querySelector('svg.graph');
    if (!svg) return null;
    const r = (svg as SVGSVGElement).getBoundingClientRect();
    const hostRect = this.host.getBoundingClientRect();
    const w = Math.max(1, Math.round(r.width));
    const hgt = Math.max(1, Math.round(r.height));
    if (this.canvas.width !== w || this.canvas.height !== hgt) {
      this.canvas.width = w;
      this.canvas.height = hgt;
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${hgt}px`;
    }
    this.canvas.style.left = `${Math.round(r.left - hostRect.left)}px`;
    this.canvas.style.top = `${Math.round(r.top - hostRect.top)}px`;
    const b = this.layout.bounds;
    this.scale = w / b.width;
    this.offsetX = b.x;
    this.offsetY = b.y;
    return this.canvas.getContext('2d');
  }

  draw(dots: Dot[]): void {
    this.dots = dots;
    const ctx = this.fit();
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.scale, 0, 0, this.scale, -this.offsetX * this.scale, -this.offsetY * this.scale);
    ctx.fillStyle = '#0b4f8a';
    ctx.beginPath();
    for (const d of dots) {
      if (d.error) continue;
      ctx.moveTo(d.x + 3, d.y);
      ctx.arc(d.x, d.y, 3, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.fillStyle = '#c9190b';
    ctx.beginPath();
    for (const d of dots) {
      if (!d.error) continue;
      ctx.moveTo(d.x, d.y - 5);
      ctx.lineTo(d.x + 5, d.y);
      ctx.lineTo(d.x, d.y + 5);
      ctx.lineTo(d.x - 5, d.y);
      ctx.closePath();
    }
    ctx.fill();
  }

  /** The dot nearest a click (client coordinates), within 8 layout units; null when none. */
  hit(clientX: number, clientY: number): Dot | null {
    const r = this.canvas.getBoundingClientRect();
    const x = (clientX - r.left) / this.scale + this.offsetX;
    const y = (clientY - r.top) / this.scale + this.offsetY;
    let best: Dot | null = null;
    let bestD = 8 * 8;
    for (const d of this.dots) {
      const dd = (d.x - x) ** 2 + (d.y - y) ** 2;
      if (dd <= bestD) {
        best = d;
        bestD = dd;
      }
    }
    return best;
  }

  /** Client coordinates of a dot (for scripts that click one). */
  clientPoint(d: Dot): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + (d.x - this.offsetX) * this.scale, y: r.top + (d.y - this.offsetY) * this.scale };
  }

  get current(): readonly Dot[] {
    return this.dots;
  }
}
