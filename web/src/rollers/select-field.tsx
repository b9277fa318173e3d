// A labelled <select> in the form pattern: forms/form.tsx's FieldFrame gives it the label, hint and the error
// the API's `field` names.
import type { FormState } from '../forms/form-state';
import { FieldFrame } from '../forms/form';

export function SelectField<F extends string>(p: {
  form: { state: FormState<F>; set: (f: F, v: string) => void };
  name: F;
  label: string;
  options: readonly { value: string; label: string }[];
  required?: boolean;
  hint?: string;
}) {
  const id = `f-${p.name}`;
  const error = p.form.state.errors[p.name];
  return (
    <FieldFrame id={id} label={p.label} required={p.required} hint={p.hint} error={error}>
      {(describedBy) => (
        <select
          id={id}
          name={p.name}
          value={p.form.state.values[p.name]}
          onChange={(e) => p.form.set(p.name, (e.currentTarget as HTMLSelectElement).value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy}
        >
          {p.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}
