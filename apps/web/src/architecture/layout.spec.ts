import { boxHeight, layoutDiagram, layoutKey } from './layout';

describe(layoutDiagram.name, () => {
  const nodes = [
    { id: 'edge', lines: 0, replicas: 0 },
    { id: 'gateway', lines: 3, replicas: 2 },
    { id: 'lb', lines: 0, replicas: 0 },
    { id: 'catalog', lines: 4, replicas: 2 },
    { id: 'postgres', lines: 2, replicas: 0 },
  ];
  const edges = [
    { from: 'edge', to: 'gateway' },
    { from: 'gateway', to: 'lb' },
    { from: 'lb', to: 'catalog' },
    { from: 'catalog', to: 'postgres' },
    { from: 'catalog', to: 'nowhere' },
  ];

  it('places every box once, without overlaps, left to right along the request path', () => {
    const layout = layoutDiagram(nodes, edges);
    expect([...layout.nodes.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    const boxes = [...layout.nodes.values()];
    for (const a of boxes)
      for (const b of boxes) {
        if (a === b) continue;
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect({ a: a.id, b: b.id, apart }).toEqual({ a: a.id, b: b.id, apart: true });
      }
    const x = (id: string) => layout.nodes.get(id)!.x;
    expect(x('edge')).toBeLessThan(x('gateway'));
    expect(x('gateway')).toBeLessThan(x('lb'));
    expect(x('lb')).toBeLessThan(x('catalog'));
    expect(x('catalog')).toBeLessThan(x('postgres'));
    expect(layout.nodes.get('catalog')!.height).toBe(boxHeight(nodes[3]));
    // An arrow to a box that does not exist is left out; the others have points to draw.
    expect(layout.edges).toHaveLength(4);
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    expect(layout.width).toBeGreaterThan(0);
  });

  it('keys a layout by its boxes and arrows, not by the figures', () => {
    expect(layoutKey(nodes, edges)).toBe(
      layoutKey(
        nodes.map((n) => ({ ...n })),
        edges,
      ),
    );
    expect(layoutKey(nodes, edges)).not.toBe(layoutKey(nodes.slice(1), edges));
  });
});
