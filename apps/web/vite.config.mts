import { defineConfig } from 'vite';

// The edge serves dist/ as static files: index.html (no-cache) names content-hashed assets
// (dist/assets/*-[hash].js|css, cached for a year as immutable). `pnpm --filter @sdp/web dev`
// proxies /api to the edge of a running stack (`pnpm stack`), so the page talks to the same API.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': { target: process.env.EDGE_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
