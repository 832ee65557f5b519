// Product pictures from the CDN: `imagePath` is a content-hashed WebP at the media origin
// (/media/products/<category>/<noun>.<hash>.webp), served through the edge. The browser picks a
// width from srcset (the origin renders 160, 320 and 640 px, each once) and WebP, or the JPEG
// fallback if it cannot show WebP. Pictures below the fold load lazily; width and height are set,
// so the layout does not jump when they arrive.
import { h } from './dom';

/** The widths the media origin renders (kept equal to @sdp/media's mediaWidths by a test). */
export const PICTURE_WIDTHS = [160, 320, 640] as const;
const HEIGHT_RATIO = 3 / 4;

export interface PictureSources {
  webp: string;
  jpeg: string;
  /** The img's own src: the JPEG at 320 px (any browser can show it). */
  fallback: string;
}

/** srcset strings for a media path; undefined for anything that is not a versioned /media/ WebP. */
export function pictureSources(imagePath: string): PictureSources | undefined {
  if (!/^\/media\/[a-z0-9/-]+\.[0-9a-f]{10}\.webp$/.test(imagePath)) return undefined;
  const jpegPath = imagePath.replace(/\.webp$/, '.jpg');
  const srcset = (path: string) => PICTURE_WIDTHS.map((w) => `${path}?w=${w} ${w}w`).join(', ');
  return { webp: srcset(imagePath), jpeg: srcset(jpegPath), fallback: `${jpegPath}?w=320` };
}

export function productPicture(
  imagePath: string,
  alt: string,
  options: { sizes: string; eager?: boolean; width: number },
): HTMLPictureElement | undefined {
  const sources = pictureSources(imagePath);
  if (!sources) return undefined;
  return h(
    'picture',
    { class: 'product-picture' },
    h('source', { type: 'image/webp', srcset: sources.webp, sizes: options.sizes }),
    h('img', {
      src: sources.fallback,
      srcset: sources.jpeg,
      sizes: options.sizes,
      alt,
      width: options.width,
      height: Math.round(options.width * HEIGHT_RATIO),
      loading: options.eager ? 'eager' : 'lazy',
      decoding: 'async',
      testid: 'product-image',
    }),
  );
}
