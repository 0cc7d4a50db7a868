// Note cells: markdown (GitHub flavour) with KaTeX math ($...$ inline, $$...$$ display) by marked +
// marked-katex-extension, then sanitised by DOMPurify before it reaches the page (a note is user text; a notebook
// may come from someone else).
import DOMPurify from 'dompurify';
import { Marked, type Token } from 'marked';
import markedKatex from 'marked-katex-extension';

// A note's "# Heading" becomes <h2>: the notebook's title is the page's one <h1>.
const demoteHeadings = {
  walkTokens(token: Token) {
    if (token.type === 'heading') token.depth = Math.min(6, token.depth + 1);
  },
};

const md = new Marked(
  { gfm: true, async: false },
  markedKatex({ throwOnError: false, output: 'htmlAndMathml' }),
  demoteHeadings,
);

/** Markdown with math to HTML, not yet sanitised (pure; no DOM needed). */
export function markdownToHtml(source: string): string {
  return md.parse(source, { async: false }) as string;
}

let hooked = false;

/** Markdown with math to HTML that is safe to put in the page: no scripts, handlers or javascript: links. */
export function renderMarkdown(source: string): string {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank'); // never navigate the workbench away
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  return DOMPurify.sanitize(markdownToHtml(source), { USE_PROFILES: { html: true, mathMl: true, svg: true } });
}
