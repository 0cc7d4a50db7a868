// KaTeX's stylesheet as text (Vite's `?inline`), named exactly so every tsconfig room knows it, with or without
// vite/client's types.
declare module 'katex/dist/katex.min.css?inline' {
  const css: string;
  export default css;
}
