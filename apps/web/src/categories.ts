/** The demo catalogue's categories (apps/catalog/src/db/seed-data.ts); the API has no category list yet. */
export const CATEGORIES: ReadonlyArray<{ slug: string; name: string }> = [
  { slug: 'audio', name: 'Audio' },
  { slug: 'computers', name: 'Computers' },
  { slug: 'phones', name: 'Phones & Tablets' },
  { slug: 'kitchen', name: 'Kitchen' },
  { slug: 'home', name: 'Home & Living' },
  { slug: 'outdoor', name: 'Outdoor' },
  { slug: 'fitness', name: 'Fitness' },
  { slug: 'clothing', name: 'Clothing' },
  { slug: 'books', name: 'Books' },
  { slug: 'toys', name: 'Toys & Games' },
  { slug: 'garden', name: 'Garden' },
  { slug: 'office', name: 'Office' },
];

/** The seeded demo customer whose email the login form suggests. */
export const DEMO_EMAIL = 'alice@example.com';
