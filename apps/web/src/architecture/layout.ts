// Where each box of the live diagram goes: a layered layout by dagre (a maintained graph-layout
// library), fed with the boxes and arrows the control service derives from @sdp/topology. Nothing
// here knows the component names, so a service added to the topology is placed like the others.
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  /** Lines of figures the box shows (sets its height). */
  lines: number;
  /** Replica rows (services only). */
  replicas: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface PlacedNode {
  id: string;
  /** Top-left corner and size, in SVG units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

export const BOX_WIDTH = 190;
export const HEADER_HEIGHT = 24;
export const LINE_HEIGHT = 15;
export const REPLICA_HEIGHT = 17;
const PADDING = 8;

export const boxHeight = (node: LayoutNode): number =>
  HEADER_HEIGHT + node.replicas * REPLICA_HEIGHT + node.lines * LINE_HEIGHT + PADDING;

export function layoutDiagram(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Layout {
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  // Left to right along the request path: the services stack up in one column instead of one
  // very wide row, so the boxes stay readable at page width.
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: BOX_WIDTH, height: boxHeight(node) });
  const known = new Set(nodes.map((n) => n.id));
  for (const edge of edges) if (known.has(edge.from) && known.has(edge.to)) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);

  const placed = new Map<string, PlacedNode>();
  for (const node of nodes) {
    const { x = 0, y = 0, width, height } = graph.node(node.id);
    placed.set(node.id, { id: node.id, x: x - width / 2, y: y - height / 2, width, height });
  }
  const { width = 0, height = 0 } = graph.graph();
  return {
    width,
    height,
    nodes: placed,
    edges: graph.edges().map((e) => ({ from: e.v, to: e.w, points: graph.edge(e).points ?? [] })),
  };
}

/** A key that changes only when the layout must: the boxes, their sizes and the arrows. */
export const layoutKey = (nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): string =>
  JSON.stringify([nodes.map((n) => [n.id, n.lines, n.replicas]), edges.map((e) => [e.from, e.to])]);
