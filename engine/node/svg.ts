// The SVG line charts moved to engine/run/svg.ts (engine core: the run recorder draws loss curves in the app too).
export * from '../run/svg';
