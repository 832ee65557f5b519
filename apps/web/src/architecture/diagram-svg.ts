// Draws one frame of the live diagram as plain SVG: a box per component (coloured by status, with
// its figures), a row per replica inside a service's box, the arrows dagre routed. Text goes in as
// text nodes only.
import type { DiagramNode } from './architecture-api';
import { BOX_WIDTH, HEADER_HEIGHT, LINE_HEIGHT, REPLICA_HEIGHT, type Layout } from './layout';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

/** The figures a box shows in its own lines (the rest are in the details panel). */
export const MAX_LINES = 5;
export const shownFigures = (node: DiagramNode) => node.figures.slice(0, MAX_LINES);

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function drawDiagram(
  layout: Layout,
  nodes: readonly DiagramNode[],
  onSelect: (node: DiagramNode) => void,
): SVGSVGElement {
  const svg = el('svg', {
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    // Natural size (readable text), shrunk only when the page is narrower than the diagram.
    width: Math.ceil(layout.width),
    style: 'max-width: 100%; height: auto;',
    role: 'img',
    'aria-label': 'Live system diagram',
    'data-testid': 'diagram',
  });
  svg.append(
    el(
      'defs',
      {},
      el(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto',
        },
        el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }),
      ),
    ),
  );
  for (const edge of layout.edges) {
    const d = edge.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
      .join(' ');
    svg.append(
      el('path', { d, class: 'edge', 'marker-end': 'url(#arrow)', 'data-edge': `${edge.from}->${edge.to}` }),
    );
  }
  for (const node of nodes) {
    const box = layout.nodes.get(node.id);
    if (!box) continue;
    const group = el('g', {
      class: `node status-${node.status} kind-${node.kind}`,
      transform: `translate(${box.x.toFixed(1)},${box.y.toFixed(1)})`,
      'data-testid': 'node',
      'data-node-id': node.id,
      'data-status': node.status,
      tabindex: 0,
      role: 'button',
      'aria-label': `${node.label}: ${node.status}`,
    });
    group.addEventListener('click', () => onSelect(node));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') onSelect(node);
    });
    group.append(
      el('rect', { width: BOX_WIDTH, height: box.height, rx: 6, class: 'box' }),
      el('rect', { width: BOX_WIDTH, height: HEADER_HEIGHT, rx: 6, class: 'box-head' }),
      el('text', { x: 8, y: 16, class: 'box-title' }, short(node.label, 24)),
      el('text', { x: BOX_WIDTH - 8, y: 16, class: 'box-status', 'text-anchor': 'end' }, node.status),
    );
    let y = HEADER_HEIGHT;
    for (const replica of node.replicas ?? []) {
      const row = el('g', {
        class: `replica status-${replica.status}`,
        transform: `translate(0,${y})`,
        'data-testid': 'replica',
        'data-replica-id': replica.id,
        'data-status': replica.status,
      });
      const figures = replica.figures.map((f) => `${f.value} ${f.label}`).join(' · ');
      row.append(
        el('circle', { cx: 12, cy: REPLICA_HEIGHT / 2 + 1, r: 4.5, class: 'dot' }),
        el(
          'text',
          { x: 22, y: 13, class: 'replica-text' },
          short(`${replica.id}  ${replica.status === 'up' ? figures : replica.status}`, 30),
        ),
      );
      group.append(row);
      y += REPLICA_HEIGHT;
    }
    for (const figure of shownFigures(node)) {
      group.append(
        el(
          'text',
          { x: 8, y: y + 12, class: 'figure' },
          el('title', {}, figure.source),
          short(`${figure.label}: ${figure.value}`, 31),
        ),
      );
      y += LINE_HEIGHT;
    }
    svg.append(group);
  }
  return svg;
}
