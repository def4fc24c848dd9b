import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: true,
    manifest: true,
    // The mock backend (MSW + the Hono app + demo data) is a lazy chunk; keep the warning for real bloat.
    chunkSizeWarningLimit: 600,
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173 },
});
