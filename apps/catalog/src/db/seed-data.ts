// Deterministic demo catalogue: the same 1,200 products on every machine, so load tests, docs and
// screenshots agree. A tiny seeded PRNG instead of a faker library: the data is small, readable and
// stays identical across library upgrades.

import { productPicturePath } from '@sdp/media';

export interface SeedCategory {
  slug: string;
  name: string;
  nouns: string[];
  /** Price range in whole currency units. */
  price: [number, number];
}

export interface SeedProduct {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  categorySlug: string;
  imagePath: string;
}

export const seedCategories: SeedCategory[] = [
  {
    slug: 'audio',
    name: 'Audio',
    nouns: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable', 'Amplifier'],
    price: [25, 450],
  },
  {
    slug: 'computers',
    name: 'Computers',
    nouns: ['Laptop', 'Monitor', 'Keyboard', 'Mouse', 'Webcam', 'Docking Station'],
    price: [20, 2200],
  },
  {
    slug: 'phones',
    name: 'Phones & Tablets',
    nouns: ['Smartphone', 'Tablet', 'Phone Case', 'Charger', 'Power Bank', 'Stylus'],
    price: [15, 1300],
  },
  {
    slug: 'kitchen',
    name: 'Kitchen',
    nouns: ['Chef Knife', 'Frying Pan', 'Espresso Machine', 'Kettle', 'Blender', 'Cutting Board'],
    price: [12, 650],
  },
  {
    slug: 'home',
    name: 'Home & Living',
    nouns: ['Desk Lamp', 'Throw Blanket', 'Cushion', 'Wall Clock', 'Vase', 'Rug'],
    price: [10, 380],
  },
  {
    slug: 'outdoor',
    name: 'Outdoor',
    nouns: ['Tent', 'Sleeping Bag', 'Backpack', 'Headlamp', 'Camping Stove', 'Water Bottle'],
    price: [9, 520],
  },
  {
    slug: 'fitness',
    name: 'Fitness',
    nouns: ['Yoga Mat', 'Kettlebell', 'Resistance Band', 'Jump Rope', 'Foam Roller', 'Dumbbell Set'],
    price: [8, 340],
  },
  {
    slug: 'clothing',
    name: 'Clothing',
    nouns: ['Hoodie', 'Rain Jacket', 'T-Shirt', 'Chinos', 'Wool Sweater', 'Sneakers'],
    price: [15, 260],
  },
  {
    slug: 'books',
    name: 'Books',
    nouns: ['Cookbook', 'Field Guide', 'Novel', 'Atlas', 'Sketchbook', 'Notebook'],
    price: [6, 70],
  },
  {
    slug: 'toys',
    name: 'Toys & Games',
    nouns: ['Board Game', 'Puzzle', 'Building Set', 'Kite', 'Card Game', 'Plush Toy'],
    price: [7, 160],
  },
  {
    slug: 'garden',
    name: 'Garden',
    nouns: ['Watering Can', 'Pruning Shears', 'Planter', 'Garden Hose', 'Seed Kit', 'Trowel'],
    price: [6, 140],
  },
  {
    slug: 'office',
    name: 'Office',
    nouns: ['Desk Organizer', 'Fountain Pen', 'Ergonomic Chair', 'Standing Desk', 'Label Maker', 'Planner'],
    price: [5, 900],
  },
];

const adjectives = [
  'Classic',
  'Compact',
  'Pro',
  'Ultra',
  'Essential',
  'Premium',
  'Everyday',
  'Travel',
  'Studio',
  'Eco',
  'Smart',
  'Heritage',
];
const materials = [
  'Oak',
  'Steel',
  'Graphite',
  'Linen',
  'Ceramic',
  'Aluminium',
  'Walnut',
  'Cotton',
  'Bamboo',
  'Slate',
  'Copper',
  'Wool',
];
const colours = [
  'Midnight',
  'Sand',
  'Forest',
  'Arctic',
  'Ember',
  'Ocean',
  'Stone',
  'Blush',
  'Olive',
  'Charcoal',
];
const benefits = [
  'built to last for years of daily use',
  'designed with a repairable, modular build',
  'tested for comfort over long sessions',
  'made from responsibly sourced materials',
  'light enough to take anywhere',
  'backed by a two-year warranty',
];

/** mulberry32: a 32-bit seeded PRNG, good enough to vary demo data deterministically. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)];

/** Prices that look like shop prices: whole units ending in .99, .49 or .00. */
const shopPrice = ([min, max]: [number, number], random: () => number): number => {
  const units = Math.floor(min + (max - min) * random() ** 2); // skewed towards cheaper items
  return units * 100 + pick([99, 49, 0, 99], random) || 99;
};

export function generateSeedProducts(count = 1_200, seed = 42): SeedProduct[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const category = seedCategories[index % seedCategories.length];
    const noun = pick(category.nouns, random);
    const name = `${pick(adjectives, random)} ${pick(materials, random)} ${noun} — ${pick(colours, random)}`;
    const number = String(index + 1).padStart(6, '0');
    return {
      sku: `SKU-${number}`,
      name,
      description: `${name}: a ${noun.toLowerCase()} ${pick(benefits, random)}.`,
      priceCents: shopPrice(category.price, random),
      categorySlug: category.slug,
      // The picture of its category and noun at the media origin, named by content (@sdp/media).
      imagePath: productPicturePath(category.slug, noun),
    };
  });
}
