// A tiny element builder: text always goes in as text nodes (never innerHTML), so product names
// and API messages cannot inject markup.

type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'testid') {
      el.dataset.testid = String(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A table's header row: one column-scoped cell per label; `num` columns are right-aligned. */
export function tableHead(...columns: { label: Child; num?: boolean }[]): HTMLTableSectionElement {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      ...columns.map(({ label, num }) => h('th', { scope: 'col', class: num ? 'num' : null }, label)),
    ),
  );
}

export function replace(target: Element, ...children: (Node | null)[]): void {
  target.replaceChildren(...children.filter((c): c is Node => c !== null));
}
