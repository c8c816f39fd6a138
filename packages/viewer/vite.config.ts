import { defineConfig } from 'vite';

// The app is served by `equimol view` from the root of a loopback server and may also be opened from
// any sub-path (a static host, or the standalone export): asset URLs stay relative.
export default defineConfig({
  base: './',
  // The sampling worker imports core, whose backend loader uses dynamic imports: ES module workers.
  worker: { format: 'es' },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs's wasm binaries must stay files next to the bundle (setWasmPaths points at them).
    assetsInlineLimit: 0,
    // NGL alone is ~800 kB minified; one big chunk is expected, not a mistake.
    chunkSizeWarningLimit: 4000,
    // One entry file: `equimol view --export` inlines it into a standalone HTML page, which a static
    // import of a shared chunk would break (the lazily loaded WebGPU backend shares tfjs with the app).
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
});
