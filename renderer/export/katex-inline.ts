// KaTeX's stylesheet for the HTML report, standing alone: its fonts fetched from this page's own bundle and written
// in as data: URLs (woff2 only: every browser that reads the report reads woff2), so math renders offline exactly
// as in the app. Loaded on demand (the stylesheet is not part of the app's start-up bundle).

/** `url(...)` sources of a stylesheet's @font-face rules, as written. */
export function fontUrls(css: string): string[] {
  return [...new Set([...css.matchAll(/url\(\s*["']?([^"')]+\.woff2)["']?\s*\)/g)].map((m) => m[1]))];
}

/** The sources of a `src:` list, split at the top-level commas (a data: URL holds commas and semicolons). */
function sources(list: string): string[] {
  const out: string[] = [];
  let depth = 0,
    start = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '(') depth++;
    else if (list[i] === ')') depth--;
    else if (list[i] === ',' && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(list.slice(start).trim());
  return out;
}

/** Keep only the woff2 source of every `src:` list (woff and ttf are fallbacks for old browsers). */
export function woff2Only(css: string): string {
  let out = '';
  let at = 0;
  for (let i = css.indexOf('src:'); i >= 0; i = css.indexOf('src:', at)) {
    let depth = 0,
      end = i + 4;
    for (; end < css.length; end++) {
      const ch = css[end];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if ((ch === ';' || ch === '}') && depth === 0) break;
    }
    const list = css.slice(i + 4, end);
    const woff2 = sources(list).find((s) => /format\(\s*["']woff2["']\s*\)/.test(s) || /\.woff2["']?\s*\)/.test(s));
    out += css.slice(at, i) + 'src:' + (woff2 ?? list.trim());
    at = end;
  }
  return out + css.slice(at);
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
