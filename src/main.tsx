import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '#src/app/app.tsx';
import { startThemeSync } from '#src/features/appearance/stores/theme-store.ts';
import { rememberChunkFailure } from '#src/lib/connection-store.ts';
import './styles.css';

// Before anything renders, so a remembered dark choice never flashes light.
startThemeSync();
// A lazy page whose code fails to download gets a reload prompt, not the raw import error.
window.addEventListener('vite:preloadError', (event) => rememberChunkFailure((event as Event & { payload?: unknown }).payload));

async function start() {
  if (import.meta.env.VITE_MOCK_API === 'true') {
    // Dynamic so MSW and the demo data never enter the initial bundle.
    try {
      const { startMockWorker } = await import('#mocks/browser.ts');
      await startMockWorker();
    } catch (error) {
      // Render anyway: every request then fails visibly, which beats a blank page.
      console.error('The demo backend did not start', error);
    }
  }
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
