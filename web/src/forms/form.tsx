// The form pattern every page uses: `useForm` holds a FormState (form-state.ts) and runs the request;
// `Field` is a labelled input with its error beside it (aria-invalid, aria-describedby); `FormProblem` shows a
// failure that names no field, with the refusal's rule. On failure nothing typed is lost and the button retries.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { describeProblem, type Problem } from '../api/problem';
import type { Outcome } from '../api/client';
import {
  checkRequired,
  edit,
  failSubmit,
  hasErrors,
  initialForm,
  startSubmit,
  type FormState,
} from './form-state';

export interface FormOptions<F extends string, T> {
  initial: Record<F, string>;
  required?: readonly NoInfer<F>[];
  /** API field names shown under another field of the form. */
  aliases?: Partial<Record<string, NoInfer<F>>>;
  /** A check of the form's own (e.g. two passwords equal): errors by field. */
  validate?: (values: Record<NoInfer<F>, string>) => Partial<Record<NoInfer<F>, string>>;
  submit: (values: Record<NoInfer<F>, string>) => Promise<Outcome<T>>;
  onSuccess: (data: T, values: Record<NoInfer<F>, string>) => void;
}

export function useForm<F extends string, T>(opts: FormOptions<F, T>) {
  const [state, setState] = useState<FormState<F>>(() => initialForm(opts.initial));
  const fields = Object.keys(opts.initial) as F[];
  const set = (field: F, value: string) => setState((s) => edit(s, field, value));
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (state.submitting) return;
    let checked = checkRequired(state, opts.required ?? []);
    if (opts.validate) checked = { ...checked, errors: { ...opts.validate(state.values), ...checked.errors } };
    if (hasErrors(checked)) {
      setState({ ...checked, problem: null });
      return;
    }
    const values = state.values;
    setState((s) => startSubmit(s));
    const out = await opts.submit(values);
    if (out.ok) {
      setState((s) => ({ ...s, submitting: false }));
      opts.onSuccess(out.data, values);
    } else {
      setState((s) => failSubmit(s, out.problem, fields, opts.aliases));
    }
  };
  return { state, set, onSubmit, setState };
}

interface FieldProps<F extends string> {
  form: { state: FormState<F>; set: (f: F, v: string) => void };
  name: F;
  label: string;
  type?: 'text' | 'password' | 'date' | 'search' | 'email' | 'tel';
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  autoFocus?: boolean;
}

/** What every control of the form pattern shows around itself: its label, a hint, and the error the API's
 * `field` named for it (linked by aria-describedby through `describedBy`). */
export function FieldFrame(p: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  error?: string;
  children: (describedBy: string | undefined) => ComponentChildren;
}) {
  const describedBy = [p.error ? `${p.id}-error` : '', p.hint ? `${p.id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div class={p.error ? 'field field-invalid' : 'field'}>
      <label for={p.id}>
        {p.label}
        {p.required ? <span class="req"> (required)</span> : null}
      </label>
      {p.children(describedBy || undefined)}
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="field-error" id={`${p.id}-error`} role="alert">
          {p.error}
        </p>
      ) : null}
    </div>
  );
}

export function Field<F extends string>(p: FieldProps<F>) {
  const id = `f-${p.name}`;
  const error = p.form.state.errors[p.name];
  // A password field can show what was typed (ASVS V2.1.12): a toggle beside it, pressed while shown.
  const password = p.type === 'password';
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame id={id} label={p.label} required={p.required} hint={p.hint} error={error}>
      {(describedBy) => {
        const input = (
          <input
            id={id}
            name={p.name}
            type={(password && shown ? 'text' : (p.type ?? 'text')) as 'text'}
            value={p.form.state.values[p.name]}
            onInput={(e) => p.form.set(p.name, (e.currentTarget as HTMLInputElement).value)}
            autoComplete={p.autoComplete}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={describedBy}
            required={p.required}
            autoFocus={p.autoFocus}
            spellcheck={password ? false : undefined}
          />
        );
        if (!password) return input;
        return (
          <div class="password-row">
            {input}
            <button
              type="button"
              class="secondary"
              aria-label={`Show ${p.label.toLowerCase()}`}
              aria-pressed={shown}
              aria-controls={id}
              onClick={() => setShown(!shown)}
            >
              {shown ? 'Hide' : 'Show'}
            </button>
          </div>
        );
      }}
    </FieldFrame>
  );
}

/** A failed request as every page shows it: the server's words with the rule of a refusal (describeProblem),
 * announced (role=alert). `kind` "block" is the red box under a form or a list; "field" the line under one
 * control. `showField` adds the API's `field` when no control of the page carries it; `prefix` says what the
 * problem is about ("Roller #4: "); `children` follow (a "Try again" button). Nothing when there is no problem. */
export function ProblemNote(p: {
  problem: Problem | null | undefined;
  kind?: 'block' | 'field';
  showField?: boolean;
  prefix?: string;
  id?: string;
  children?: ComponentChildren;
}) {
  if (!p.problem) return null;
  const text = (
    <>
      {p.prefix}
      {describeProblem(p.problem)}
      {p.showField && p.problem.field ? <span class="sub"> ({p.problem.field})</span> : null}
    </>
  );
  if (p.kind === 'field') {
    return (
      <p class="field-error" role="alert" id={p.id}>
        {text}
      </p>
    );
  }
  return (
    <div class="problem" role="alert" id={p.id}>
      {p.children ? <p>{text}</p> : text}
      {p.children}
    </div>
  );
}

export function FormProblem<F extends string>({ state }: { state: FormState<F> }) {
  return <ProblemNote problem={state.problem} />;
}

export function SubmitButton<F extends string>(p: {
  state: FormState<F>;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <button type="submit" class="primary" disabled={p.state.submitting} aria-busy={p.state.submitting}>
      {p.state.submitting ? 'Working…' : p.state.problem ? 'Try again' : p.children}
    </button>
  );
}

/** The end of a form with a way out: its problem (FormProblem), the submit button (SubmitButton: "Try again"
 * after a failure) and Cancel. */
export function FormActions<F extends string>(p: {
  state: FormState<F>;
  onCancel: () => void;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <>
      <FormProblem state={p.state} />
      <div class="actions">
        <SubmitButton state={p.state}>{p.children}</SubmitButton>
        <button type="button" class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
