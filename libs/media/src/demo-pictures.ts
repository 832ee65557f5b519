// The demo catalogue's pictures: one per (category, noun), 72 in all. The catalog's seed points
// each product at the picture of its category and noun; the media origin writes these masters into
// its bucket when it starts (its "upload"). A catalog test keeps its nouns and this list in step.
import { contentHash, renderPictureSvg } from './picture';
import { mediaPath, mediaSlug, type MediaFormat } from './media-path';

export const demoProductPictures: Readonly<Record<string, readonly string[]>> = {
  audio: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable', 'Amplifier'],
  computers: ['Laptop', 'Monitor', 'Keyboard', 'Mouse', 'Webcam', 'Docking Station'],
  phones: ['Smartphone', 'Tablet', 'Phone Case', 'Charger', 'Power Bank', 'Stylus'],
  kitchen: ['Chef Knife', 'Frying Pan', 'Espresso Machine', 'Kettle', 'Blender', 'Cutting Board'],
  home: ['Desk Lamp', 'Throw Blanket', 'Cushion', 'Wall Clock', 'Vase', 'Rug'],
  outdoor: ['Tent', 'Sleeping Bag', 'Backpack', 'Headlamp', 'Camping Stove', 'Water Bottle'],
  fitness: ['Yoga Mat', 'Kettlebell', 'Resistance Band', 'Jump Rope', 'Foam Roller', 'Dumbbell Set'],
  clothing: ['Hoodie', 'Rain Jacket', 'T-Shirt', 'Chinos', 'Wool Sweater', 'Sneakers'],
  books: ['Cookbook', 'Field Guide', 'Novel', 'Atlas', 'Sketchbook', 'Notebook'],
  toys: ['Board Game', 'Puzzle', 'Building Set', 'Kite', 'Card Game', 'Plush Toy'],
  garden: ['Watering Can', 'Pruning Shears', 'Planter', 'Garden Hose', 'Seed Kit', 'Trowel'],
  office: ['Desk Organizer', 'Fountain Pen', 'Ergonomic Chair', 'Standing Desk', 'Label Maker', 'Planner'],
};

export interface MediaMaster {
  /** e.g. products/audio/headphones */
  key: string;
  svg: string;
  hash: string;
  /** The versioned WebP URL path the catalog stores as imagePath. */
  path: string;
}

const masters = new Map<string, MediaMaster>();

/** The master picture of a product of `category` named after `noun` (memoised: 72 at most). */
export function productPicture(category: string, noun: string): MediaMaster {
  const key = `products/${mediaSlug(category)}/${mediaSlug(noun)}`;
  let master = masters.get(key);
  if (!master) {
    const svg = renderPictureSvg(category, noun);
    const hash = contentHash(svg);
    master = { key, svg, hash, path: mediaPath(key, hash) };
    masters.set(key, master);
  }
  return master;
}

export const productPicturePath = (category: string, noun: string, format: MediaFormat = 'webp'): string =>
  mediaPath(productPicture(category, noun).key, productPicture(category, noun).hash, format);

/** Every demo master, for the origin's bucket. */
export const demoMasters = (): MediaMaster[] =>
  Object.entries(demoProductPictures).flatMap(([category, nouns]) =>
    nouns.map((noun) => productPicture(category, noun)),
  );
