// lens_render_ms for `npm run bench:ui`: the routing lens (renderer/cells/inspect/lens-view.tsx) on a synthetic
// 256-token probe with 4 layers, 2 heads and 8 experts (test/e2e/pages/lens-page.tsx), in headless Chromium.
//   lens_render_ms      median time from mounting the lens for one layer and head to the end of the frame that
//                       painted it (React render and commit, the heatmap images, overlays, axis labels, layout, paint)
//   lens_render_script_ms  the script part of those frames (render, commit, canvas drawing; before style, layout, paint)
//   lens_switch_ms      median time of switching the shown layer/head, to the painted frame
//   lens_hover_ms       median time of moving the hovered token, to the painted frame (only the hover bands and
//                       the readouts that show it re-render)
// Target (issue 9): lens_render_ms under 100 ms.
import { loadavg } from 'node:os';
import { launchChromium, median, round, servePage } from './bench-page';

const LENS_PAGE = 'test/e2e/pages/lens-page.tsx';

export async function lensRender(repeats: number): Promise<Record<string, number | string>> {
  const site = await servePage(LENS_PAGE, 'lens');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${site.url}?tokens=256&layers=4&heads=2&experts=8`);
    await page.waitForFunction(() => window.__lens?.ready === true, null, { timeout: 60_000 });
    const r = await page.evaluate(async (n) => {
      const l = window.__lens;
      for (let i = 0; i < 3; i++) {
        await l.mount(1000 + i); // warm-up (JIT, first layouts)
        l.unmount();
      }
      const mount: number[] = [];
      const script: number[] = [];
      for (let i = 0; i < n; i++) {
        mount.push(await l.mount(i));
        script.push(l.lastScriptMs);
        await new Promise((ok) => setTimeout(ok, 20));
        if (i < n - 1) l.unmount();
      }
      const switches: number[] = [];
      for (let i = 0; i < n; i++) switches.push(await l.switchTo(i % 4, Math.floor(i / 4) % 2));
      const hovers: number[] = [];
      for (let i = 0; i < n; i++) hovers.push(await l.hover((i * 37) % 256));
      return { mount, script, switches, hovers, shape: l.shape };
    }, repeats);
    const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
    return {
      lens_render_ms: round(median(r.mount)),
      lens_render_p90_ms: round(p90(r.mount)),
      lens_render_script_ms: round(median(r.script)),
      lens_switch_ms: round(median(r.switches)),
      lens_hover_ms: round(median(r.hovers)),
      lens_probe: `${r.shape.tokens} tokens, ${r.shape.layers} layers, ${r.shape.heads} heads, ${r.shape.experts} experts`,
      lens_repeats: r.mount.length,
      load_average_1m: round(loadavg()[0]),
    };
  } finally {
    await browser.close();
    await site.close();
  }
}
