// One stage of the walkthrough: its title, the text to read aloud, and its numbers (vectors as bar strips, matrices
// as small heatmaps, facts as a short list), each figure with the Export menu; or, in "predict, then reveal" mode,
// the question and a Reveal button in place of the numbers.
import { memo, useMemo } from 'react';
import { renderMarkdown } from '../../note/markdown';
import { ExportFigure } from '../../../panels/routing-health-figure';
import { itemCsv, itemJson, type MatrixItem, type Stage, type StageItem, type VectorItem } from './walkthrough-stages';
import { MatrixSvg, VectorStrip } from './walkthrough-visuals';

export interface StageMeta {
  step: number;
  layer: number;
  head: number;
  position: number;
  token: string;
}

export const StageView = memo(function StageView(p: {
  stage: Stage;
  index: number;
  count: number;
  hidden: boolean;
  onReveal: () => void;
  meta: StageMeta;
}) {
  const { stage } = p;
  const headingId = `wt-stage-${stage.id}`;
  return (
    <article className="wt-stage" aria-labelledby={headingId} data-stage={stage.id}>
      <h3 id={headingId}>
        <span className="wt-num">{p.index + 1}</span> {stage.title}
      </h3>
      <Markdown className="wt-say" source={stage.text} />
      {stage.note && <p className="wt-note">{stage.note}</p>}
      {p.hidden ? (
        <div className="wt-predict" role="group" aria-label="Predict">
          <strong>Predict:</strong>
          <Markdown className="wt-question" source={stage.predict} />
          <button type="button" className="btn btn-primary" onClick={p.onReveal}>
            Reveal
          </button>
        </div>
      ) : (
        <div className="wt-items" role="group" aria-label="Numbers">
          {stage.items.map((item) => (
            <Item key={item.key} item={item} meta={p.meta} stage={stage.id} />
          ))}
        </div>
      )}
    </article>
  );
});

/** Markdown with KaTeX math, sanitised (the note cells' renderer). */
function Markdown({ source, className }: { source: string; className: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

const Item = memo(function Item({ item, meta, stage }: { item: StageItem; meta: StageMeta; stage: string }) {
  if (item.kind === 'facts')
    return (
      <section className="wt-facts" aria-label={item.title}>
        <h4>{item.title}</h4>
        <dl>
          {item.rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
    );
  return <NumbersFigure item={item} meta={meta} stage={stage} />;
});

function NumbersFigure({ item, meta, stage }: { item: VectorItem | MatrixItem; meta: StageMeta; stage: string }) {
  const exportTitle = `${item.title} · L${meta.layer} h${meta.head} token ${meta.position} step ${meta.step}`;
  const exportData = () => ({ csv: itemCsv(item), json: itemJson(item, { stage, ...meta }) });
  return (
    <ExportFigure title={item.title} exportTitle={exportTitle} exportData={exportData} className="wt-figure">
      {item.kind === 'vector' ? <VectorStrip item={item} /> : <MatrixSvg item={item} />}
    </ExportFigure>
  );
}
