// The menu a click on a selection heatmap opens: ablate or force that expert, at that token or at every token.
import { useEffect, useRef } from 'react';
import type { SelectionSide } from '../../../engine/contracts/reports';
import { tokenTitle } from './token-display';

export interface InterventionTarget {
  side: SelectionSide;
  sideName: string;
  layer: number;
  head: number; // the selection's head (0 for MoA's router and the MLP)
  token: number;
  expert: number;
  score: number;
  chosen: boolean;
  x: number;
  y: number;
}

interface Props {
  target: InterventionTarget;
  tokens: readonly string[];
  onChoose: (kind: 'ablate' | 'force', position: number | null) => void;
  onClose: () => void;
}

export function InterventionMenu({ target: m, tokens, onChoose, onClose }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    box.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [onClose]);
  const e = `e${m.expert}`;
  const item = (label: string, kind: 'ablate' | 'force', position: number | null) => (
    <button
      type="button"
      role="menuitem"
      onClick={() => {
        onChoose(kind, position);
        onClose();
      }}
    >
      {label}
    </button>
  );
  const left = Math.min(m.x + 6, window.innerWidth - 280);
  const top = Math.min(m.y + 6, window.innerHeight - 190);
  return (
    <div ref={box} className="lens-cell-menu" style={{ left, top }} role="menu" aria-label={`Expert ${e} actions`}>
      <p className="lens-cell-menu-head">
        {e} at {tokenTitle(tokens, m.token)} · L{m.layer}
        {m.side === 'mlp' ? '' : ` h${m.head}`} {m.sideName}
        <br />
        <span className="lens-muted">
          gate {m.score.toFixed(3)} · {m.chosen ? 'chosen' : 'not chosen'}
        </span>
      </p>
      {item(`Ablate ${e} here`, 'ablate', m.token)}
      {item(`Ablate ${e} for all tokens`, 'ablate', null)}
      {item(`Force ${e} here`, 'force', m.token)}
      {item(`Force ${e} for all tokens`, 'force', null)}
    </div>
  );
}
