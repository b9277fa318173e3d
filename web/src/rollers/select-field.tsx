// A labelled <select> in the form pattern (forms/form.tsx's Field is for text inputs): the error the API's
// `field` names is shown beside it.
import type { FormState } from '../forms/form-state';

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
  const describedBy = [error ? `${id}-error` : '', p.hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>
        {p.label}
        {p.required ? <span class="req"> (required)</span> : null}
      </label>
      <select
        id={id}
        name={p.name}
        value={p.form.state.values[p.name]}
        onChange={(e) => p.form.set(p.name, (e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
