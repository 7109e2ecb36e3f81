import { defineConfig } from 'vite';

// The app never holds an AccessKey: /api goes to a signing proxy (`make demo` runs one on
// 127.0.0.1:8080), which signs in Node. Same origin for the browser, so no CORS either.
// changeOrigin stays false: the proxy checks that Origin and Host agree (CSRF).
const proxy = { '/api': { target: process.env.YUNXIAO_PROXY ?? 'http://127.0.0.1:8080', changeOrigin: false } };

export default defineConfig({
  server: { proxy },
  preview: { proxy },
  // Pre-bundling would move the package's JS away from its .wasm (loaded relative to import.meta.url).
  optimizeDeps: { exclude: ['yunxiao-pipeline-jobs'] },
});
