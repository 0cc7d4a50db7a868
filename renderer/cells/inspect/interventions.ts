// The counterfactual routing a lens applies to its probe (engine/README.md "Counterfactual routing"): a list of
// ablate/force/uniform changes, edited here, checked by the engine (which names what does not exist). Pure.
import type { ProbeIntervention, SelectionSide } from '../../../engine/contracts/reports';
import { displayToken } from './token-display';
import type { SideNames } from './token-routing';

export type ExpertIntervention = Extract<ProbeIntervention, { kind: 'ablate' | 'force' }>;

const samePlace = (a: ExpertIntervention, b: ExpertIntervention) =>
  a.layer === b.layer && a.side === b.side && a.head === b.head && a.expert === b.expert && a.position === b.position;

/** Add a change; the same expert at the same place loses its previous change (ablate then force = force). */
export function addIntervention(list: readonly ProbeIntervention[], iv: ProbeIntervention): ProbeIntervention[] {
  if (iv.kind === 'uniform') return [...list.filter((x) => x.kind !== 'uniform'), iv];
  const kept = list.filter((x) => x.kind === 'uniform' || !samePlace(x, iv));
  return [...kept, iv];
}

export const removeIntervention = (list: readonly ProbeIntervention[], i: number): ProbeIntervention[] =>
  list.filter((_, j) => j !== i);

/** Uniform routing everywhere on or off (the toggle). */
export function setUniform(list: readonly ProbeIntervention[], on: boolean): ProbeIntervention[] {
  const rest = list.filter((x) => x.kind !== 'uniform');
  return on ? [...rest, { kind: 'uniform' }] : rest;
}

export const hasUniform = (list: readonly ProbeIntervention[]): boolean =>
  list.some((x) => x.kind === 'uniform' && x.layer === undefined && x.side === undefined && x.head === undefined);

/** An expert change at one token (`position`) or at every token. */
export function expertChange(
  kind: 'ablate' | 'force',
  at: { layer: number; side: SelectionSide; head: number; expert: number },
  position: number | null,
): ExpertIntervention {
  return { kind, ...at, ...(position === null ? {} : { position }) };
}

/** In words: "ablate e3 · L0 h1 V · at “q” (#4)", "uniform routing everywhere". */
export function describeIntervention(iv: ProbeIntervention, tokens: readonly string[], names: SideNames): string {
  if (iv.kind === 'uniform') {
    const where = [
      iv.layer === undefined ? null : `L${iv.layer}`,
      iv.head === undefined ? null : `h${iv.head}`,
      iv.side === undefined ? null : names[iv.side],
    ].filter(Boolean);
    return `uniform routing ${where.length ? where.join(' ') : 'everywhere'}`;
  }
  const head = iv.side === 'mlp' ? '' : ` h${iv.head}`;
  const where =
    iv.position === undefined ? 'all tokens' : `at “${displayToken(tokens[iv.position] ?? '?')}” (#${iv.position})`;
  return `${iv.kind} e${iv.expert} · L${iv.layer}${head} ${names[iv.side]} · ${where}`;
}

/** A stable key of a list (cache keys, effect dependencies). */
export const interventionsKey = (list: readonly ProbeIntervention[]): string => JSON.stringify(list);
