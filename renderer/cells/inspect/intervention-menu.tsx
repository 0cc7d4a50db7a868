// The menu a click on a selection heatmap opens at the pointer: ablate or force that expert, at that token or at every
// token. Escape gives focus back to where it was (the lens).
import { MenuList, useMenu, type MenuItem } from '../../app/menu';
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
  const box = useMenu<HTMLDivElement>(true, onClose);
  const e = `e${m.expert}`;
  const item = (label: string, kind: 'ablate' | 'force', position: number | null): MenuItem => ({
    label,
    run: () => onChoose(kind, position),
  });
  const left = Math.min(m.x + 6, window.innerWidth - 280);
  const top = Math.min(m.y + 6, window.innerHeight - 190);
  return (
    <MenuList
      ref={box}
      label={`Expert ${e} actions`}
      items={[
        item(`Ablate ${e} here`, 'ablate', m.token),
        item(`Ablate ${e} for all tokens`, 'ablate', null),
        item(`Force ${e} here`, 'force', m.token),
        item(`Force ${e} for all tokens`, 'force', null),
      ]}
      onChoose={(it) => {
        it.run();
        onClose();
      }}
      className="menu-list-at lens-cell-menu"
      style={{ left, top }}
    >
      <p className="lens-cell-menu-head">
        {e} at {tokenTitle(tokens, m.token)} · L{m.layer}
        {m.side === 'mlp' ? '' : ` h${m.head}`} {m.sideName}
        <br />
        <span className="lens-muted">
          gate {m.score.toFixed(3)} · {m.chosen ? 'chosen' : 'not chosen'}
        </span>
      </p>
    </MenuList>
  );
}
