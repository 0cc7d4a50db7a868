// Axis tick labels as plain SVG text (tabular figures), formatted by us: recharts' own <Text> measures every label
// in the DOM to wrap words, which a redraw per frame cannot afford and numbers never need.
import type { ReactElement } from 'react';

interface TickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}

export function axisTick(
  axis: 'x' | 'y',
  format: (v: number) => string,
  fill: string,
): (props: TickProps) => ReactElement {
  return function AxisTick({ x, y, payload }: TickProps) {
    return (
      <text
        x={x}
        y={y}
        dy={axis === 'x' ? '0.71em' : '0.32em'}
        textAnchor={axis === 'x' ? 'middle' : 'end'}
        fill={fill}
        fontSize={11}
        style={{ fontVariantNumeric: 'tabular-nums' }}
      >
        {format(Number(payload?.value))}
      </text>
    );
  };
}
