// The master of a demo product picture: a small deterministic SVG (no text, so no fonts are
// needed to rasterise it). It stands for the photo a merchant uploads; the media origin derives
// every rendition (WebP, JPEG, widths) from it. Same input, same bytes, on every machine.
import { createHash } from 'node:crypto';

export const PICTURE_WIDTH = 640;
export const PICTURE_HEIGHT = 480;

/** FNV-1a: a stable 32-bit number from a string, to vary the pictures without randomness. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** First 10 hex digits of the SHA-256 of the content: the version part of a media name. */
export const contentHash = (content: string | Buffer): string =>
  createHash('sha256').update(content).digest('hex').slice(0, 10);

const hsl = (h: number, s: number, l: number) => `hsl(${h % 360} ${s}% ${l}%)`;

/**
 * One picture per (group, name): the group (a category) sets the palette, the name the shapes.
 * Only integers go into the SVG, so its text (and so its hash) never depends on float formatting.
 */
export function renderPictureSvg(group: string, name: string): string {
  const hue = fnv1a(group) % 360;
  const seed = fnv1a(`${group}/${name}`);
  const bits = (shift: number, mod: number) => ((seed >>> shift) ^ (seed >>> (shift + 7))) % mod;
  const shapes: string[] = [];
  const cx = 200 + bits(0, 240);
  const cy = 160 + bits(4, 160);
  const r = 90 + bits(8, 60);
  shapes.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${hsl(hue + 30, 70, 55)}"/>`);
  const w = 160 + bits(12, 200);
  const h = 60 + bits(16, 120);
  const x = bits(20, PICTURE_WIDTH - w);
  const y = 260 + bits(24, 120);
  shapes.push(
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${bits(2, 40)}" fill="${hsl(hue + 200, 45, 35)}"/>`,
  );
  const px = 80 + bits(6, 480);
  shapes.push(
    `<polygon points="${px},${60 + bits(10, 80)} ${px + 90},${220 + bits(14, 60)} ${px - 90},${220 + bits(18, 60)}" fill="${hsl(hue + 90, 60, 70)}" fill-opacity="0.85"/>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PICTURE_WIDTH}" height="${PICTURE_HEIGHT}" viewBox="0 0 ${PICTURE_WIDTH} ${PICTURE_HEIGHT}">`,
    `<rect width="${PICTURE_WIDTH}" height="${PICTURE_HEIGHT}" fill="${hsl(hue, 45, 88)}"/>`,
    ...shapes,
    '</svg>',
    '',
  ].join('\n');
}
