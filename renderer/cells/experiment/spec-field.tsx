// One control of the spec form, chosen by the schema (select, checkbox, number or text field). Number fields keep
// what the user typed as a draft; the document gets the number, or the raw text when it is not one, so validation
// names the field instead of the form silently ignoring the keystroke.
import { useId, useState, type ChangeEvent } from 'react';
import type { ResolvedField } from './spec-fields';

export interface SpecFieldProps {
  field: ResolvedField;
  error: string | null;
  disabled: boolean;
  onChange(value: unknown, typing: boolean): void;
}

const toText = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function parseNumber(text: string): number | string {
  const t = text.trim();
  if (t === '') return text;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

function NumberBox({ field, error, disabled, onChange, id }: SpecFieldProps & { id: string }) {
  const [text, setText] = useState(toText(field.value));
  const [seen, setSeen] = useState(field.value);
  if (seen !== field.value) {
    // the document changed (undo, preset, JSON): show its value unless the draft already means it
    setSeen(field.value);
    if (parseNumber(text) !== field.value) setText(toText(field.value));
  }
  return (
    <input
      id={id}
      className="field-input num"
      type="text"
      inputMode={field.control.kind === 'int' ? 'numeric' : 'decimal'}
      spellCheck={false}
      autoComplete="off"
      value={text}
      disabled={disabled}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-err` : undefined}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseNumber(e.target.value), true);
      }}
    />
  );
}

function bounds(field: ResolvedField): string | undefined {
  const c = field.control;
  if (c.kind !== 'int' && c.kind !== 'number') return undefined;
  const lo = c.min === undefined ? '' : `${c.minExclusive ? '>' : '≥'} ${c.min}`;
  const hi = c.max === undefined ? '' : `${c.maxExclusive ? '<' : '≤'} ${c.max}`;
  const kind = c.kind === 'int' ? 'integer' : 'number';
  return [kind, lo, hi].filter(Boolean).join(', ');
}

export function SpecField(props: SpecFieldProps) {
  const { field, error, disabled, onChange } = props;
  const id = useId();
  const c = field.control;
  const title = [field.hint, bounds(field), `spec: ${field.key}`].filter(Boolean).join(' · ');
  const describedBy = error ? `${id}-err` : undefined;
  let control;
  if (c.kind === 'bool') {
    return (
      <div className="field field-bool" title={title}>
        <input
          id={id}
          aria-label={field.group ? field.label : undefined}
          type="checkbox"
          checked={field.value === true}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.checked, false)}
        />
        <label htmlFor={id}>{field.group?.short ?? field.label}</label>
        {error && (
          <p className="field-error" id={`${id}-err`}>
            {error}
          </p>
        )}
      </div>
    );
  }
  if (c.kind === 'enum') {
    const options = c.options.includes(toText(field.value)) ? c.options : [toText(field.value), ...c.options];
    control = (
      <select
        id={id}
        className="field-input"
        value={toText(field.value)}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value, false)}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (c.kind === 'text') {
    const Tag = field.key === 'data.source.text' ? 'textarea' : 'input';
    control = (
      <Tag
        id={id}
        className="field-input"
        value={toText(field.value)}
        disabled={disabled}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value, true)}
      />
    );
  } else control = <NumberBox {...props} id={id} />;
  return (
    <div className={`field${field.key === 'data.source.text' ? ' field-wide' : ''}`} title={title}>
      <label htmlFor={id} className={field.explicit ? undefined : 'is-default'}>
        {field.label}
      </label>
      {control}
      {error && (
        <p className="field-error" id={`${id}-err`}>
          {error}
        </p>
      )}
    </div>
  );
}
