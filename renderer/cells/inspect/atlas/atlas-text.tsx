// Text coloured by chosen expert (the Mixtral paper's Fig. 8, extended to attention heads): each run of tokens whose
// first-choice expert is the same gets that expert's colour as a tint behind the text and as a solid underline; the
// occurrence a line is about is outlined. With "expert numbers" on, each run also carries its expert's number, so
// nothing depends on colour alone. A token's title names its chosen experts and gates.
import { memo, type CSSProperties } from 'react';
import type { ColourSpan, TokenCell } from './atlas-data';
import { colourSpans } from './atlas-data';

export interface ColouredTextProps {
  cells: readonly TokenCell[];
  mark: number | null; // flat position outlined
  colors: readonly string[]; // per expert
  separator: string; // '' for bytes, characters, BPE; ' ' for word-like tokens
  numbers: boolean;
}

function tip(cells: readonly TokenCell[], s: ColourSpan): string {
  return cells
    .slice(s.from, s.to)
    .map((c) => `${JSON.stringify(c.name)}: ${c.experts.map((e, j) => `e${e} ${c.gates[j]!.toFixed(2)}`).join(', ')}`)
    .join('\n');
}

export const ColouredText = memo(function ColouredText(p: ColouredTextProps) {
  const spans = colourSpans(p.cells, p.mark, p.separator);
  return (
    <span className="at-text">
      {spans.map((s, i) => {
        const color = p.colors[s.expert] ?? 'transparent';
        return (
          <span key={i}>
            {i > 0 && p.separator}
            <span
              className={s.mark ? 'at-span at-mark' : 'at-span'}
              style={{ '--ex': color } as CSSProperties}
              title={tip(p.cells, s)}
              data-expert={s.expert}
            >
              {s.text}
              {p.numbers && <sub className="at-num">{s.expert}</sub>}
            </span>
          </span>
        );
      })}
    </span>
  );
});
