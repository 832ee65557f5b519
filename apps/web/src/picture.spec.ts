import { mediaWidths, productPicture as master } from '@sdp/media';
import { PICTURE_WIDTHS, pictureSources } from './picture';

describe(pictureSources.name, () => {
  it('offers every width the origin renders, as WebP and as the JPEG fallback', () => {
    const { path } = master('audio', 'Headphones');
    const sources = pictureSources(path)!;
    expect(sources.webp).toBe(`${path}?w=160 160w, ${path}?w=320 320w, ${path}?w=640 640w`);
    const jpg = path.replace(/\.webp$/, '.jpg');
    expect(sources.jpeg).toBe(`${jpg}?w=160 160w, ${jpg}?w=320 320w, ${jpg}?w=640 640w`);
    expect(sources.fallback).toBe(`${jpg}?w=320`);
  });

  it('shows nothing for a path that is not a versioned media picture', () => {
    for (const p of [
      '',
      '/images/products/audio/000001.webp',
      '/media/x.webp',
      'https://evil.example/a.0123456789.webp',
    ])
      expect(pictureSources(p)).toBeUndefined();
  });

  it('asks only for widths the media origin renders', () => {
    expect([...PICTURE_WIDTHS]).toEqual([...mediaWidths]);
  });
});
