// The raw JSON of a spec, editable. Text that parses goes into the document (and is validated like the form);
// text that does not parse stays a draft here, its error is shown, and Run is disabled until it parses again.
import { useEffect, useId, useState } from 'react';
import { useReadOnly } from '../../state/notebook';
import type { CellId } from '../../state/notebook-schema';
import { useView, viewActions } from '../../state/view';
import { setSpecJson } from './spec-edit';
import { useSpec } from './use-spec';

const pretty = (spec: unknown) => JSON.stringify(spec, null, 2);

function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'a spec is a JSON object { ... }' };
    return { value: v as Record<string, unknown> };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function SpecJson({ id }: { id: CellId }) {
  const spec = useSpec(id);
  const readOnly = useReadOnly();
  const error = useView((s) => s.jsonDraftError[id] ?? null);
  const [text, setText] = useState(() => pretty(spec));
  const [seen, setSeen] = useState(spec);
  const domId = useId();
  if (seen !== spec) {
    // the spec changed elsewhere (form, preset, undo): show it unless the draft already says the same
    setSeen(spec);
    const draft = parseObject(text);
    if (!('value' in draft) || pretty(draft.value) !== pretty(spec)) {
      setText(pretty(spec));
      viewActions.setJsonDraftError(id, null);
    }
  }
  useEffect(() => () => viewActions.setJsonDraftError(id, null), [id]); // a closed editor holds no draft
  return (
    <div className="spec-json">
      <label htmlFor={domId} className="visually-hidden">
        Spec JSON
      </label>
      <textarea
        id={domId}
        className="json-editor"
        value={text}
        spellCheck={false}
        readOnly={readOnly}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${domId}-err` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const r = parseObject(e.target.value);
          if ('value' in r) {
            viewActions.setJsonDraftError(id, null);
            setSeen(r.value);
            setSpecJson(id, r.value);
          } else viewActions.setJsonDraftError(id, r.error);
        }}
      />
      {error && (
        <p className="field-error" id={`${domId}-err`} role="alert">
          JSON: {error}
        </p>
      )}
    </div>
  );
}
