// #/orders — the user's orders, newest first as the API returns them, each linking to its page.
import { showLoading, type PageContext, type StillCurrent } from '../context';
import { h, replace, tableHead } from '../dom';
import { formatCents } from '../money';
import { badgeClass } from './order';

export async function renderOrders(ctx: PageContext, current: StillCurrent): Promise<void> {
  showLoading(ctx, 'Loading your orders…');
  const page = await ctx.api.orders();
  if (!current()) return;
  if (page.items.length === 0) {
    replace(ctx.view, h('h1', {}, 'My orders'), h('p', { testid: 'orders-empty' }, 'No orders yet.'));
    return;
  }
  replace(
    ctx.view,
    h('h1', {}, 'My orders'),
    h(
      'table',
      { class: 'lines', testid: 'orders-table' },
      tableHead({ label: 'Order' }, { label: 'Placed' }, { label: 'Status' }, { label: 'Total', num: true }),
      h(
        'tbody',
        {},
        page.items.map((o) =>
          h(
            'tr',
            { testid: 'order-row', 'data-order-id': o.id },
            h('td', {}, h('a', { href: `#/orders/${o.id}` }, h('code', {}, o.id.slice(0, 8)))),
            h('td', {}, new Date(o.createdAt).toLocaleString()),
            h('td', {}, h('span', { class: badgeClass(o.status) }, o.status)),
            h('td', { class: 'num' }, formatCents(o.totalCents)),
          ),
        ),
      ),
    ),
  );
}
