// The Content-Security-Policy of every app:// response (the page, its scripts, the engine worker). Nothing remote is
// ever loaded, no script may be evaluated from a string (no 'unsafe-eval', no inline script), and each source beyond
// 'self' is here because a named part of the app needs it. The web host sends no CSP: its page runs in the user's
// own browser; this one runs with the user's disk and GPU behind it.
//
// The response headers also carry the web host's cross-origin isolation (COOP/COEP), taken from electron/host's
// http-io.ts so both hosts send the same ones: threaded wasm (SharedArrayBuffer) needs them.
import type { ServerResponse } from 'node:http';
import { setCommonHeaders } from '../host/http-io';

/** directive -> allowed sources; the comment on each says who needs what. */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  // Anything not named below (manifests, media, prefetch, ...) is refused.
  'default-src': ["'none'"],
  // 'self': the bundle's module scripts (dist/renderer/assets/*.js); no inline script, no eval.
  // 'wasm-unsafe-eval': tfjs-backend-wasm compiles its .wasm binaries (WebAssembly.instantiate); this keyword allows
  //   WebAssembly compilation only, never eval() or new Function().
  // blob:: the threaded wasm build's pthread workers importScripts() the Emscripten glue from a Blob URL that tfjs
  //   made in our own worker (backend_wasm.js `mainScriptUrlOrBlob`); only our scripts can mint such URLs.
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  // 'self': the engine's module worker (new Worker(new URL('engine/worker.ts', import.meta.url), {type:'module'})).
  // blob:: tfjs-backend-wasm starts its pthread workers from a Blob URL (locateFile of '*.worker.js').
  'worker-src': ["'self'", 'blob:'],
  // 'self': the worker fetches /wasm/*.wasm (wasmPaths '/wasm/'). Workspace data goes through IPC, never fetch.
  'connect-src': ["'self'"],
  // data: small icons Vite inlines; blob:: chart images made in the page (PNG export previews).
  'img-src': ["'self'", 'data:', 'blob:'],
  // KaTeX's fonts (files from the bundle, or data: when Vite inlines a small one).
  'font-src': ["'self'", 'data:'],
  // 'unsafe-inline' for styles only: KaTeX's HTML carries style="" attributes and the chart components inject one
  // <style> element. CSS cannot run script, and with every fetch directive limited to 'self', data: and blob:, an
  // injected style has nowhere to send anything.
  'style-src': ["'self'", "'unsafe-inline'"],
  'object-src': ["'none'"], // no plugins
  'frame-src': ["'none'"], // no iframes (and navigation is denied in the main process anyway)
  'frame-ancestors': ["'none'"], // nobody frames the app
  'base-uri': ["'none'"], // no <base> rewriting relative URLs
  'form-action': ["'none'"], // no form posts anywhere
};

/** The header value: `directive source source; directive ...`. */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
  .join('; ');

/** The headers the web host puts on every response (COOP, COEP, CORP, nosniff, referrer), read from its own code. */
export function hostHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const collect = { setHeader: (name: string, value: string) => void (headers[name] = String(value)) };
  setCommonHeaders(collect as unknown as ServerResponse);
  return headers;
}

/** Every app:// response's headers: the web host's, plus this CSP and no caching (the bundle changes on rebuild). */
export function appHeaders(contentType: string): Record<string, string> {
  return {
    ...hostHeaders(),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Content-Type': contentType,
    'Cache-Control': 'no-cache',
  };
}
