// The HTML report's pure parts (renderer/export/report-html.ts, katex-inline.ts): one page that loads and runs
// nothing (its CSP allows only inline styles and data: images and fonts), every user text escaped, figures inline
// SVG (scripts, handlers and external references refused) or PNG data, run tables with numeric columns and
// swatches; KaTeX's stylesheet reduced to its woff2 fonts, ready for inlining, in the form Vite's build gives it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fontUrls, katexRules, woff2Only } from '../../renderer/export/katex-inline';
import { escapeHtml, inlineSvg, REPORT_CSP, reportHtml, type ReportInput } from '../../renderer/export/report-html';

const SVG =
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">' +
  '<defs><clipPath id="c1"><rect width="10" height="10"/></clipPath></defs><g clip-path="url(#c1)">' +
  '<path class="swc-line swc-raw" d="M0,0L10,10" stroke="#0072B2"/></g><text>run &lt;a&gt; on = 1</text></svg>';

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'SwitchHead <vs> dense',
    notebook: 'My notebook',
    exportedAt: '2026-11-29T15:30:00.000Z',
    engineVersion: '0.1.0',
    theme: 'light',
    katexCss: null,
    sections: [
      { kind: 'note', html: '<h2>Notes</h2><p>Some <em>math</em></p>' },
      {
        kind: 'cell',
        label: 'Compare',
        title: '2 runs · val loss vs attention MACs',
        lines: ['These runs use different tokenizers (byte: a; BPE 300: b).'],
        figures: [
          { title: 'val loss', svg: SVG, width: 400, height: 200 },
          { title: 'heatmap', png: 'data:image/png;base64,iVBORw0KGgo=' },
        ],
        tables: [
          {
            caption: 'Runs compared (2)',
            head: ['run', 'val loss'],
            body: [
              ['sh <k2>', '1.839'],
              ['xl', '1.871'],
            ],
            numeric: [false, true],
            swatches: ['#0072B2', '#D55E00'],
          },
        ],
      },
    ],
    ...over,
  };
}

describe('reportHtml', () => {
  const html = reportHtml(input());

  it('is one page that loads and runs nothing', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    expect(REPORT_CSP).not.toMatch(/script-src|http/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
  });

  it('escapes every user text and keeps the notes as rendered', () => {
    expect(html).toContain('<title>SwitchHead &lt;vs&gt; dense</title>');
    expect(html).toContain('<h1>SwitchHead &lt;vs&gt; dense</h1>');
    expect(html).toContain('<td><span class="swatch" style="background:#0072B2"></span>sh &lt;k2&gt;</td>');
    expect(html).toContain('<section class="cell note"><h2>Notes</h2><p>Some <em>math</em></p></section>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('puts figures inline: SVG without its XML declaration, PNG as data', () => {
    expect(html).not.toContain('<?xml');
    expect(html).toContain('<figure aria-label="val loss"><svg xmlns="http://www.w3.org/2000/svg" width="400"');
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="heatmap">');
    expect(html).toContain('<div class="figures">'); // two figures side by side
  });

  it('writes run tables with numeric columns and each run’s colour', () => {
    expect(html).toContain('<caption>Runs compared (2)</caption>');
    expect(html).toContain('<th scope="col" class="num">val loss</th>');
    expect(html).toContain('<td class="num">1.871</td>');
    expect(html).toContain('<span class="swatch" style="background:#D55E00"></span>xl');
  });

  it('follows the theme it is given and carries KaTeX’s CSS when the notes hold math', () => {
    const dark = reportHtml(input({ theme: 'dark', katexCss: '.katex{font:1em KaTeX_Main}</style><x>' }));
    expect(dark).toContain('data-theme="dark"');
    expect(dark).toContain('color-scheme: dark');
    expect(dark).toContain('<style>.katex{font:1em KaTeX_Main}<\\/style><x></style>'); // cannot close the tag early
    expect(html).not.toContain('KaTeX');
  });

  it('refuses a figure that could run or load something', () => {
    expect(inlineSvg(SVG)).toMatch(/^<svg /);
    const bad = [
      '<svg><script>alert(1)</script></svg>',
      '<svg><g onclick="x()"/></svg>',
      '<svg><image href="https://example.com/a.png"/></svg>',
      '<svg><foreignObject><div/></foreignObject></svg>',
      '<svg><a href="javascript:x"><text>t</text></a></svg>',
      '<svg><rect fill="url(#a)" style="x" xlink:href="http://x/y"/></svg>',
      '<div>not svg</div>',
    ];
    for (const b of bad) expect(() => inlineSvg(b), b).toThrow(/report:/);
    expect(() =>
      reportHtml(input({ sections: [{ ...input().sections[1], figures: [{ title: 'x', svg: bad[0] }] } as never] })),
    ).toThrow();
    // a PNG that is not a base64 data URL is left out
    const noPng = reportHtml(
      input({
        sections: [
          {
            kind: 'cell',
            label: 'Inspect',
            title: '',
            lines: [],
            figures: [{ title: 'h', png: 'https://x/y.png' }],
            tables: [],
          },
        ],
      }),
    );
    expect(noPng).not.toContain('<img');
  });
});

describe('KaTeX fonts for the report', () => {
  const require = createRequire(import.meta.url);
  const css = readFileSync(require.resolve('katex/dist/katex.min.css'), 'utf8');

  it('keeps only the woff2 source of each font, and lists the files to inline', () => {
    const only = woff2Only(css);
    expect(only).not.toMatch(/\.woff\)|\.ttf\)/);
    const urls = fontUrls(only);
    expect(urls.length).toBe((css.match(/@font-face/g) ?? []).length);
    expect(urls.every((u) => u.endsWith('.woff2'))).toBe(true);
    expect(only).toContain('.katex{'); // the rules themselves are untouched
  });

  it("takes the page's KaTeX rules, with font URLs made absolute against their stylesheet", () => {
    const rules = katexRules([
      {
        href: 'http://127.0.0.1:5/assets/index-abc.css',
        rules: [
          'body { margin: 0px; }',
          '@font-face { font-family: KaTeX_AMS; src: url("KaTeX_AMS-Regular-x.woff2") format("woff2"), url(./KaTeX_AMS-Regular-y.woff) format("woff"); }',
          '.katex { font: 1.21em KaTeX_Main, "Times New Roman", serif; }',
          '@font-face { font-family: KaTeX_Size3; src: url("data:font/woff2;base64,AA;BB,CC") format("woff2"); }',
        ],
      },
      { href: 'http://127.0.0.1:5/', rules: ['.note .katex-display { overflow-x: auto; }', '.cell { color: red; }'] },
    ]);
    expect(rules).not.toMatch(/body|\.cell/);
    expect(rules).toContain('url("http://127.0.0.1:5/assets/KaTeX_AMS-Regular-x.woff2")');
    expect(rules).toContain('url("http://127.0.0.1:5/assets/KaTeX_AMS-Regular-y.woff")');
    expect(rules).toContain('url("data:font/woff2;base64,AA;BB,CC")');
    expect(rules).toContain('.note .katex-display');
    const only = woff2Only(rules);
    expect(fontUrls(only)).toEqual(['http://127.0.0.1:5/assets/KaTeX_AMS-Regular-x.woff2']);
    expect(only).not.toContain('.woff"');
  });

  it('handles the build’s form: absolute URLs, and small fonts already inlined as data: URLs', () => {
    const built =
      '@font-face{font-family:KaTeX_Size3;src:url(data:font/woff2;base64,d09GMgAB;AAA,BBB) format("woff2"),' +
      'url(http://127.0.0.1:5/assets/KaTeX_Size3-Regular-x.woff) format("woff"),url(http://127.0.0.1:5/assets/' +
      'KaTeX_Size3-Regular-y.ttf) format("truetype")}@font-face{font-family:KaTeX_Main;src:url(http://127.0.0.1:5/' +
      'assets/KaTeX_Main-Regular-z.woff2) format("woff2"),url(http://127.0.0.1:5/assets/KaTeX_Main-Regular-w.woff) ' +
      'format("woff")}.katex{font:normal 1.21em KaTeX_Main}';
    const only = woff2Only(built);
    expect(only).toBe(
      '@font-face{font-family:KaTeX_Size3;src:url(data:font/woff2;base64,d09GMgAB;AAA,BBB) format("woff2")}' +
        '@font-face{font-family:KaTeX_Main;src:url(http://127.0.0.1:5/assets/KaTeX_Main-Regular-z.woff2) ' +
        'format("woff2")}.katex{font:normal 1.21em KaTeX_Main}',
    );
    expect(fontUrls(only)).toEqual(['http://127.0.0.1:5/assets/KaTeX_Main-Regular-z.woff2']);
  });
});
