// KaTeX's stylesheet for the HTML report, standing alone: its fonts fetched from this page's own bundle and written
// in as data: URLs (woff2 only: every browser that reads the report reads woff2), so math renders offline exactly
// as in the app. Loaded on demand (the stylesheet is not part of the app's start-up bundle).

/** `url(...)` sources of a stylesheet's @font-face rules, as written. */
export function fontUrls(css: string): string[] {
  return [...new Set([...css.matchAll(/url\(\s*["']?([^"')]+\.woff2)["']?\s*\)/g)].map((m) => m[1]))];
}

/** Keep only the woff2 source of every `src:` list (woff and ttf are fallbacks for old browsers). */
export function woff2Only(css: string): string {
  return css.replace(/src:\s*([^;}]+)/g, (whole, list: string) => {
    const woff2 = list.split(/,(?=\s*url\()/).find((s) => /\.woff2["']?\s*\)/.test(s) || /woff2/.test(s));
    return woff2 ? `src:${woff2.trim()}` : whole;
  });
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** KaTeX's CSS with every font inlined (fetched relative to `base`, the stylesheet's own URL). */
export async function inlinedKatexCss(base = document.baseURI): Promise<string> {
  const css = woff2Only((await import('katex/dist/katex.min.css?inline')).default);
  let out = css;
  for (const url of fontUrls(css)) {
    const res = await fetch(new URL(url, base));
    if (!res.ok) throw new Error(`KaTeX font ${url}: ${res.status} ${res.statusText}`);
    const data = `data:font/woff2;base64,${base64(new Uint8Array(await res.arrayBuffer()))}`;
    out = out.split(url).join(data);
  }
  return out;
}
