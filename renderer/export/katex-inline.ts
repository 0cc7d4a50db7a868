// KaTeX's stylesheet for the HTML report, standing alone: the page's own KaTeX rules (the app loads katex.min.css,
// renderer/main.tsx) with their fonts fetched from the page's bundle and written in as data: URLs (woff2 only: every
// browser that reads the report reads woff2), so math renders offline exactly as in the app.

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

/** A stylesheet's rules as text, with where it came from (relative font URLs are relative to it). */
export interface SheetText {
  href: string;
  rules: string[];
}

/** The KaTeX rules of the page's stylesheets (its @font-face rules and every rule about .katex), with each
 *  relative url() made absolute against its sheet. */
export function katexRules(sheets: readonly SheetText[]): string {
  const out: string[] = [];
  for (const sheet of sheets)
    for (const rule of sheet.rules) {
      if (!/katex/i.test(rule)) continue;
      out.push(
        rule.replace(/url\(\s*(["']?)([^"')]+)\1\s*\)/g, (whole, _q: string, url: string) =>
          /^(data:|[a-z][\w+.-]*:)/i.test(url) ? whole : `url("${new URL(url, sheet.href).href}")`,
        ),
      );
    }
  return out.join('\n');
}

/** The page's stylesheets as text (sheets it may not read are skipped). */
function pageSheets(): SheetText[] {
  const out: SheetText[] = [];
  for (const sheet of Array.from(document.styleSheets)) {
    try {
      out.push({ href: sheet.href ?? document.baseURI, rules: Array.from(sheet.cssRules, (r) => r.cssText) });
    } catch {
      // another origin's sheet: not ours
    }
  }
  return out;
}

/** KaTeX's CSS with every font inlined, ready for the report. */
export async function inlinedKatexCss(): Promise<string> {
  const css = woff2Only(katexRules(pageSheets()));
  let out = css;
  for (const url of fontUrls(css)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`KaTeX font ${url}: ${res.status} ${res.statusText}`);
    const data = `data:font/woff2;base64,${base64(new Uint8Array(await res.arrayBuffer()))}`;
    out = out.split(url).join(data);
  }
  return out;
}
