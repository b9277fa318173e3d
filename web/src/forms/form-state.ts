// The state of a form, kept apart from any component so it is unit-tested (tests/unit/form-state.test.ts):
// what was typed, the error shown next to each field, the error that belongs to no field of the form, and
// whether a request is under way. A failed request never clears what was typed; the API's `field` decides
// where its message goes.
import { describeProblem, type Problem } from '../api/problem';

export interface FormState<F extends string> {
  values: Record<F, string>;
  /** The message shown next to a field (from the server, or a check of the form's own). */
  errors: Partial<Record<F, string>>;
  /** A failure that names no field of this form: shown above the submit button. */
  problem: Problem | null;
  submitting: boolean;
}

export function initialForm<F extends string>(values: Record<F, string>): FormState<F> {
  return { values: { ...values }, errors: {}, problem: null, submitting: false };
}

/** A typed change: the value is kept, and that field's old error goes (the person is fixing it). */
export function edit<F extends string>(s: FormState<F>, field: NoInfer<F>, value: string): FormState<F> {
  const errors = { ...s.errors };
  delete errors[field];
  return { ...s, values: { ...s.values, [field]: value }, errors };
}

export function startSubmit<F extends string>(s: FormState<F>): FormState<F> {
  return { ...s, errors: {}, problem: null, submitting: true };
}

/**
 * The form field an API `field` path names: the field itself (`name`), or the top of a path into it
 * (`areas[1].concerns` → `areas`, `address.city` → `address`); `aliases` maps API names the form shows
 * under another field (`new_password` → `password`). Null when the form has no such field.
 */
export function fieldOf<F extends string>(
  apiField: string | null,
  fields: readonly F[],
  aliases: Partial<Record<string, F>> = {},
): F | null {
  if (!apiField) return null;
  const top = apiField.split(/[.[]/, 1)[0] ?? apiField;
  for (const candidate of [apiField, top]) {
    const alias = aliases[candidate];
    if (alias) return alias;
    if ((fields as readonly string[]).includes(candidate)) return candidate as F;
  }
  return null;
}

/** A failed submit: the message goes next to the field it names, else to the form; the values stay. */
export function failSubmit<F extends string>(
  s: FormState<F>,
  problem: Problem,
  fields: readonly NoInfer<F>[],
  aliases: Partial<Record<string, NoInfer<F>>> = {},
): FormState<F> {
  const field = fieldOf(problem.field, fields, aliases);
  if (field) {
    return { ...s, submitting: false, problem: null, errors: { ...s.errors, [field]: describeProblem(problem) } };
  }
  return { ...s, submitting: false, problem };
}

/** Checks of the form's own before sending (a required field left empty): errors by field, none when fine. */
export function checkRequired<F extends string>(s: FormState<F>, required: readonly NoInfer<F>[]): FormState<F> {
  const errors: Partial<Record<F, string>> = {};
  for (const f of required) if (s.values[f].trim() === '') errors[f] = 'Required.';
  return { ...s, errors };
}

export function hasErrors<F extends string>(s: FormState<F>): boolean {
  return Object.keys(s.errors).length > 0;
}
