// The spec form: the common fields by section, generated from the engine's schema, validated live. A problem is
// shown under its field; problems in fields the form does not show are listed on top (edit those in JSON).
import { memo } from 'react';
import { useReadOnly } from '../../state/notebook';
import type { CellId } from '../../state/notebook-schema';
import { SpecField } from './spec-field';
import { resolveFields, SPEC_SECTIONS, type ResolvedField } from './spec-fields';
import { setSpecField } from './spec-edit';
import { useSpec, useSpecCheck } from './use-spec';

/** Fields in order, with consecutive members of one checkbox group gathered into an array. */
function grouped(fields: ResolvedField[]): (ResolvedField | ResolvedField[])[] {
  const out: (ResolvedField | ResolvedField[])[] = [];
  for (const f of fields) {
    const last = out[out.length - 1];
    if (f.group && Array.isArray(last) && last[0].group?.caption === f.group.caption) last.push(f);
    else out.push(f.group ? [f] : f);
  }
  return out;
}

export const SpecForm = memo(function SpecForm({ id }: { id: CellId }) {
  const spec = useSpec(id);
  const check = useSpecCheck(id);
  const readOnly = useReadOnly();
  const errors = new Map<string, string>();
  if (!check.ok) for (const i of check.issues) if (!errors.has(i.path)) errors.set(i.path, i.message);
  const sections = SPEC_SECTIONS.map((s) => ({ title: s.title, fields: resolveFields(spec, s) }));
  const shown = new Set(sections.flatMap((s) => s.fields.map((f) => f.key)));
  const others = [...errors].filter(([path]) => !shown.has(path));
  const fieldProps = (f: ResolvedField) => ({
    field: f,
    error: errors.get(f.key) ?? null,
    disabled: readOnly,
    onChange: (v: unknown, typing: boolean) => setSpecField(id, f.path, v, typing),
  });
  return (
    <div className="spec-form">
      {others.length > 0 && (
        <ul className="spec-issues" aria-label="Other spec problems">
          {others.map(([path, msg]) => (
            <li key={path}>
              <code>{path || 'spec'}</code>: {msg}
            </li>
          ))}
        </ul>
      )}
      {sections.map((s) => (
        <fieldset key={s.title} className="spec-section">
          <legend>{s.title}</legend>
          <div className="spec-grid">
            {grouped(s.fields).map((item) =>
              Array.isArray(item) ? (
                <div key={item[0].key} className="field field-group" role="group" aria-label={item[0].group?.caption}>
                  <span className="field-caption">{item[0].group?.caption}</span>
                  <div className="field-checks">
                    {item.map((f) => (
                      <SpecField key={f.key} {...fieldProps(f)} />
                    ))}
                  </div>
                </div>
              ) : (
                <SpecField key={item.key} {...fieldProps(item)} />
              ),
            )}
          </div>
        </fieldset>
      ))}
    </div>
  );
});
