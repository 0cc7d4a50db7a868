// On a fresh page recharts' code is cold: the first chart a training run drew took 50-93 ms of main-thread time
// (bench:ui, a 2-core machine) against 20-30 ms for the charts after it, so the one long task left while training
// was that first mount. Once the app is idle after it starts, draw one small chart off-screen (hidden from
// assistive technology and from the pointer) and drop it: the first real chart then mounts warm.
import { createRoot } from 'react-dom/client';
import type { SeriesInput } from './chart-model';
import { MetricChart } from './metric-chart';
import { ensureChartStyles } from './styles';

const VIEW = { xAxis: 'step', logX: false, logY: false, smoothing: 0.6 } as const;
const noop = () => {};

function sampleSeries(): SeriesInput[] {
  const x = Float64Array.from({ length: 64 }, (_, i) => i + 1);
  const y = x.map((s) => 3 / Math.sqrt(s));
  return [{ key: 'warm-up', label: 'loss', color: '#888', x, y, steps: x, smooth: true, band: true }];
}

/** Draw and drop one chart when the page is next idle (at most `timeoutMs` after this call). */
export function warmUpCharts(timeoutMs = 3000): void {
  if (typeof document === 'undefined') return;
  const whenIdle: (cb: () => void) => void =
    typeof requestIdleCallback === 'function'
      ? (cb) => requestIdleCallback(cb, { timeout: timeoutMs })
      : (cb) => setTimeout(cb, timeoutMs / 2);
  whenIdle(() => {
    ensureChartStyles();
    const host = document.createElement('div');
    host.setAttribute('aria-hidden', 'true');
    host.setAttribute('inert', '');
    host.style.cssText = 'position:fixed;left:-10000px;top:0;width:480px;visibility:hidden;pointer-events:none';
    document.body.appendChild(host);
    const root = createRoot(host);
    root.render(<MetricChart title="warm-up" series={sampleSeries()} view={VIEW} onViewChange={noop} />);
    // the chart mounts in a task of its own (stagger.tsx), then draws once its size is known: drop it after that
    const started = performance.now();
    const done = () => {
      if (!host.querySelector('path.swc-line') && performance.now() - started < 10_000)
        return void setTimeout(done, 200);
      root.unmount();
      host.remove();
    };
    setTimeout(done, 200);
  });
}
