// Charts take new data one chart per task. A training run bumps every panel's data at once (one store update per
// frame), and a grid of recharts charts committing together is one long main-thread task (hundreds of ms on a busy
// two-core machine: axes measure their text, recharts' store dispatches from effects). A staggered chart keeps
// showing its last props and queues the new ones; a queue drains one chart per task (more while a task stays under
// BUDGET_MS), each as its own synchronous React commit, so input and painting get in between the charts.
// Mounts are queued the same way (a placeholder of the chart's size holds its place), so a dozen panels appearing
// together (the first routing report) are a dozen short tasks, not one long one.
import { memo, useEffect, useRef, useState, type ComponentType, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

/** Jobs run in one task while it has taken less than this. */
const BUDGET_MS = 8;

const queue: (() => void)[] = [];
let posted = false;
let channel: MessageChannel | null = null;

function post(): void {
  if (posted) return;
  posted = true;
  if (typeof MessageChannel !== 'function') return void setTimeout(drain, 0);
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = drain; // a message task: no 4 ms clamping, unlike nested timeouts
  }
  channel.port2.postMessage(0);
}

function drain(): void {
  posted = false;
  const start = performance.now();
  do queue.shift()?.();
  while (queue.length > 0 && performance.now() - start < BUDGET_MS);
  if (queue.length > 0) post();
}

/**
 * `value` as this component shows it: the last one taken, until its turn in the queue comes (one task later when
 * nothing else waits). `deferMount`: undefined until the first turn (render a placeholder meanwhile).
 */
export function useStaggered<T>(value: T, deferMount = false): T | undefined {
  const [shown, setShown] = useState<{ value: T } | null>(deferMount ? null : { value });
  const latest = useRef(value);
  latest.current = value;
  const queued = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => void (alive.current = false);
  }, []);
  useEffect(() => {
    if ((shown && Object.is(shown.value, value)) || queued.current) return;
    queued.current = true;
    queue.push(() => {
      queued.current = false;
      if (alive.current) flushSync(() => setShown({ value: latest.current }));
    });
    post();
  });
  return shown?.value;
}

/**
 * A chart component whose props (and mount) are staggered; `placeholder` holds its place until its first turn.
 * A change of an `immediate` prop (the chart's view: what its own controls show and set) is drawn at once, with the
 * newest of every prop: a checkbox the user clicks never waits behind the queue.
 */
export function staggered<P extends object>(
  Chart: ComponentType<P>,
  placeholder: (p: P) => ReactNode,
  immediate: readonly (keyof P)[] = [],
): ComponentType<P> {
  const Inner = memo(Chart) as ComponentType<P>;
  return memo(function Staggered(props: P) {
    const shown = useStaggered(props, true);
    if (!shown) return placeholder(props);
    const now = immediate.some((k) => !Object.is(shown[k], props[k]));
    return <Inner {...(now ? props : shown)} />;
  }) as unknown as ComponentType<P>;
}

/** The place of a chart not drawn yet: its frame's title row and body height, so the grid does not move. */
export function ChartPlaceholder({ title, height }: { title: string; height: number }) {
  return (
    <div className="swc-chart swc-pending" aria-hidden="true">
      <div className="swc-head">
        <span className="swc-title">{title}</span>
      </div>
      <div className="swc-body" style={{ height }} />
    </div>
  );
}
