// The renderer's entry: theme first (no flash), then the app under the page's Platform.
import 'katex/dist/katex.min.css';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/overlays.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { warmUpCharts } from './charts/warm-up';
import { applyTheme } from './app/theme';
import { PlatformProvider } from './platform/context';

applyTheme();
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <PlatformProvider>
      <App />
    </PlatformProvider>
  </StrictMode>,
);
warmUpCharts(); // recharts' code warm before the first run draws (charts/warm-up.tsx)
