import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        name: 'DeepForge',
        short_name: 'DeepForge',
        description:
          'Design machine-learning pipelines and neural networks visually, and train them on your own GPU, in the browser.',
        theme_color: '#4f46e5',
        background_color: '#f8fafc',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
        // Shown by the browser's install dialog (and in the README).
        screenshots: [
          { src: '/screenshots/pipeline.png', sizes: '1366x860', type: 'image/png', form_factor: 'wide', label: 'A pipeline and its checks' },
          { src: '/screenshots/home.png', sizes: '1366x860', type: 'image/png', form_factor: 'wide', label: 'Your projects' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest,json,bin}'],
        globIgnores: ['screenshots/**'],
        maximumFileSizeToCacheInBytes: 12 * 1024 * 1024,
        navigateFallback: '/index.html',
        // The relay's own endpoints are never answered from the cache.
        navigateFallbackDenylist: [/^\/health/, /^\/blobs\//, /^\/sync/],
        cleanupOutdatedCaches: true,
        // Control the first page at once, so the app opens offline from the very first visit on.
        clientsClaim: true,
      },
    }),
  ],
  worker: { format: 'es' },
  optimizeDeps: {
    exclude: ['@automerge/automerge'],
    // The engine worker's dependencies, found up front: otherwise the dev server reloads the page mid-run when the
    // worker first imports them.
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'fflate', 'papaparse', 'acorn'],
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
  },
});
