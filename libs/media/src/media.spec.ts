import {
  demoMasters,
  mediaPath,
  parseMediaRequest,
  productPicture,
  renderPictureSvg,
  withMediaFormat,
} from './index';

describe('media names', () => {
  it('versions a picture by its content: same input, same URL; another picture, another URL', () => {
    const a = productPicture('audio', 'Headphones');
    expect(a.path).toMatch(/^\/media\/products\/audio\/headphones\.[0-9a-f]{10}\.webp$/);
    expect(renderPictureSvg('audio', 'Headphones')).toBe(a.svg);
    expect(productPicture('audio', 'Speaker').hash).not.toBe(a.hash);
    const hashes = new Set(demoMasters().map((m) => m.hash));
    expect(hashes.size).toBe(72);
  });

  it('parses a versioned path with a width, and the mutable alias without a hash', () => {
    const { key, hash } = productPicture('computers', 'Docking Station');
    expect(parseMediaRequest(mediaPath(key, hash, 'jpg'), { w: '320' })).toEqual({
      ok: true,
      request: { key: 'products/computers/docking-station', hash, format: 'jpg', width: 320 },
    });
    expect(parseMediaRequest(`/media/${key}.webp`)).toEqual({
      ok: true,
      request: { key, hash: undefined, format: 'webp', width: 640 },
    });
    expect(withMediaFormat(mediaPath(key, hash), 'jpg')).toBe(mediaPath(key, hash, 'jpg'));
  });

  it('answers a path that names no object with 404 and a bad format or width with 400 naming it', () => {
    for (const path of [
      '/media/',
      '/media/../etc/passwd',
      '/images/products/audio/000001.webp',
      '/media/A/b.webp',
    ])
      expect(parseMediaRequest(path)).toMatchObject({ ok: false, status: 404 });
    expect(parseMediaRequest('/media/products/a/b.gif')).toMatchObject({
      status: 400,
      message: /format ".gif"/,
    });
    expect(parseMediaRequest('/media/products/a/b.webp', { w: '333' })).toMatchObject({
      status: 400,
      message: /w must be one of 160, 320, 640/,
    });
    expect(parseMediaRequest('/media/products/a/b.webp', { w: ['160', '320'] })).toMatchObject({
      status: 400,
    });
    expect(parseMediaRequest('/media/products/a/b.webp', { v: '1' })).toMatchObject({
      status: 400,
      message: /unknown query parameter "v"/,
    });
  });
});
