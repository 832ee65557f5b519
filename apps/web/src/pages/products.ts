// #/?q=&category=&page= — search, category filter and one page of products. The query lives in
// the URL, so the edge caches each page of results and a shared link shows the same list.
import { CATEGORIES } from '../categories';
import type { PageContext, StillCurrent } from '../context';
import { h, replace } from '../dom';
import { productPicture } from '../picture';
import { field, labelled } from '../form';
import { formatCents } from '../money';
import { productsHref, type Route } from '../router';

const PAGE_SIZE = 12;

export async function renderProducts(
  ctx: PageContext,
  route: Extract<Route, { name: 'products' }>,
  current: StillCurrent,
): Promise<void> {
  const search = field(
    'Search',
    {
      type: 'search',
      name: 'q',
      id: 'search-q',
      value: route.q,
      placeholder: 'Search products',
      minlength: 2,
      maxlength: 64,
      testid: 'search-input',
    },
    { hiddenLabel: true },
  );
  const category = labelled(
    'Category',
    h(
      'select',
      { name: 'category', id: 'search-category', testid: 'category-select' },
      h('option', { value: '' }, 'All categories'),
      CATEGORIES.map((c) => h('option', { value: c.slug, selected: c.slug === route.category }, c.name)),
    ),
    { hiddenLabel: true },
  );
  const form = h(
    'form',
    { role: 'search', class: 'search', testid: 'search-form' },
    search.nodes,
    category.nodes,
    h('button', { type: 'submit', testid: 'search-button' }, 'Search'),
  );
  const searchAgain = () => ctx.go(productsHref(search.control.value, category.control.value));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    searchAgain();
  });
  category.control.addEventListener('change', searchAgain);
  const results = h(
    'section',
    { 'aria-label': 'Products', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading products…'),
  );
  replace(ctx.view, h('h1', {}, 'Products'), form, results);

  const page = await ctx.api.products({
    q: route.q,
    category: route.category,
    page: route.page,
    limit: PAGE_SIZE,
  });
  if (!current()) return;
  results.removeAttribute('aria-busy');
  if (page.items.length === 0) {
    replace(results, h('p', { testid: 'product-empty' }, 'No products match your search.'));
    return;
  }
  const pages = Math.max(1, Math.ceil(page.total / page.limit));
  const pageLink = (show: boolean, to: number, testid: string, text: string) =>
    show ? h('a', { href: productsHref(route.q, route.category, to), testid }, text) : h('span', {});
  replace(
    results,
    h('p', { class: 'muted', testid: 'product-count' }, `${page.total} products`),
    h(
      'ul',
      { class: 'grid', testid: 'product-list' },
      page.items.map((p) =>
        h(
          'li',
          { class: 'card', testid: 'product-card', 'data-sku': p.sku },
          h(
            'a',
            { href: `#/product/${p.id}`, testid: 'product-link' },
            productPicture(p.imagePath, p.name, { sizes: '(max-width: 640px) 50vw, 240px', width: 320 }),
            h('h2', {}, p.name),
          ),
          h('p', { class: 'muted' }, p.category.name),
          h('p', { class: 'price' }, formatCents(p.priceCents)),
        ),
      ),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      pageLink(page.page > 1, page.page - 1, 'page-prev', '← Previous'),
      h('span', { testid: 'page-info' }, `Page ${page.page} of ${pages}`),
      pageLink(page.page < pages, page.page + 1, 'page-next', 'Next →'),
    ),
  );
}
