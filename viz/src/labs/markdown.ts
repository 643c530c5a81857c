/**
 * Just enough Markdown for the lab READMEs, built as DOM with text nodes only: headings, fenced
 * code, bullet and numbered lists, paragraphs, and inline `code`, **bold** and *italic*. No HTML
 * passes through and links stay text, so a README can never inject markup or make a request.
 */
import { h } from '../dom.ts';

/** Inline spans: `code`, **bold**, *italic*; everything else is text. */
export function inline(text: string): Node[] {
  const out: Node[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    if (m[1] !== undefined) out.push(h('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', {}, m[2]));
    else out.push(h('em', {}, m[3]!));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

export function renderMarkdown(source: string): HTMLElement {
  const root = h('div', { class: 'markdown' });
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: { el: HTMLElement; ordered: boolean } | null = null;
  const flushPara = () => {
    if (para.length > 0) root.append(h('p', {}, ...inline(para.join(' '))));
    para = [];
  };
  const endList = () => {
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*```/.exec(line);
    if (fence) {
      flushPara();
      endList();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) code.push(lines[i]!);
      root.append(h('pre', {}, h('code', {}, code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flushPara();
      endList();
      const level = Math.min(6, heading[1]!.length + 2) as 3 | 4 | 5 | 6;
      root.append(h(`h${level}` as 'h3', {}, ...inline(heading[2]!)));
      continue;
    }
    const item = /^(\s*)([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (item && item[1]!.length < 2) {
      flushPara();
      const ordered = /\d/.test(item[2]!);
      if (!list || list.ordered !== ordered) {
        list = { el: h(ordered ? 'ol' : 'ul', {}), ordered };
        root.append(list.el);
      }
      list.el.append(h('li', {}, ...inline(item[3]!)));
      continue;
    }
    if (line.trim() === '') {
      flushPara();
      endList();
      continue;
    }
    // A continuation line of a list item (indented) joins that item.
    const lastItem: HTMLElement | null = list ? ((list as { el: HTMLElement }).el.lastElementChild as HTMLElement | null) : null;
    if (lastItem && /^\s+\S/.test(line) && para.length === 0) {
      lastItem.append(' ', ...inline(line.trim()));
      continue;
    }
    endList();
    para.push(line.trim());
  }
  flushPara();
  return root;
}
