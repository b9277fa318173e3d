import { describe, expect, it } from 'vitest';
import { problemFrom, networkProblem, describeProblem } from '../../src/api/problem';
import { checkRequired, edit, failSubmit, fieldOf, hasErrors, initialForm, startSubmit } from '../../src/forms/form-state';

const fields = ['id', 'name', 'date_of_birth'] as const;

describe('problemFrom', () => {
  it('reads the API error shape, with the rule of a refusal', () => {
    const p = problemFrom(409, { error: { code: 'refused', message: 'roller belongs to another client', field: 'roller', rule: 'S9.own' } });
    expect(p).toEqual({ status: 409, code: 'refused', message: 'roller belongs to another client', field: 'roller', rule: 'S9.own' });
  });
  it('turns a null or empty field into null', () => {
    expect(problemFrom(422, { error: { code: 'missing_field', message: 'is required', field: null } }).field).toBeNull();
    expect(problemFrom(422, { error: { code: 'missing_field', message: 'is required', field: '' } }).field).toBeNull();
  });
  it('describes an answer that is not the API shape without inventing a field', () => {
    const p = problemFrom(502, '<html>bad gateway</html>');
    expect(p.code).toBe('internal');
    expect(p.field).toBeNull();
    expect(p.message).toContain('502');
  });
  it('names the rule in front of a refusal', () => {
    expect(describeProblem(problemFrom(409, { error: { code: 'refused', message: 'too soon', field: 'at', rule: 'INTERVAL.face' } }))).toBe(
      'Refused by rule INTERVAL.face: too soon',
    );
    expect(describeProblem(problemFrom(422, { error: { code: 'invalid_value', message: 'bad date', field: 'at' } }))).toBe('bad date');
  });
});

describe('fieldOf', () => {
  it('maps a field, the top of a path, and an alias; null for a field the form lacks', () => {
    expect(fieldOf('name', fields)).toBe('name');
    expect(fieldOf('name.first', fields)).toBe('name');
    expect(fieldOf('id[0]', fields)).toBe('id');
    expect(fieldOf('dob', fields, { dob: 'date_of_birth' })).toBe('date_of_birth');
    expect(fieldOf('roller', fields)).toBeNull();
    expect(fieldOf(null, fields)).toBeNull();
  });
});

describe('form state', () => {
  const start = () => initialForm({ id: 'C-1', name: 'Ana', date_of_birth: '' });

  it('puts a field error next to its field and keeps every typed value', () => {
    const s = failSubmit(startSubmit(start()), problemFrom(422, { error: { code: 'invalid_value', message: 'is already taken', field: 'id' } }), fields);
    expect(s.errors.id).toBe('is already taken');
    expect(s.problem).toBeNull();
    expect(s.submitting).toBe(false);
    expect(s.values).toEqual({ id: 'C-1', name: 'Ana', date_of_birth: '' });
  });

  it('puts a problem naming no field of the form above the button', () => {
    const p = problemFrom(409, { error: { code: 'refused', message: 'no', field: 'roller', rule: 'R.x' } });
    const s = failSubmit(startSubmit(start()), p, fields);
    expect(s.problem).toEqual(p);
    expect(Object.keys(s.errors)).toHaveLength(0);
    expect(s.values.name).toBe('Ana');
  });

  it('shows a refusal on its field with the rule id', () => {
    const s = failSubmit(start(), problemFrom(409, { error: { code: 'refused', message: 'too soon', field: 'name', rule: 'INTERVAL.face' } }), fields);
    expect(s.errors.name).toBe('Refused by rule INTERVAL.face: too soon');
  });

  it('keeps the values through a network failure, ready to retry', () => {
    const s = failSubmit(startSubmit(start()), networkProblem(), fields);
    expect(s.problem?.code).toBe('network');
    expect(s.values).toEqual(start().values);
    const retried = startSubmit(s);
    expect(retried.problem).toBeNull();
    expect(retried.submitting).toBe(true);
    expect(retried.values).toEqual(start().values);
  });

  it('clears only the edited field’s error when typing', () => {
    let s = start();
    s = { ...s, errors: { id: 'taken', name: 'too long' } };
    s = edit(s, 'id', 'C-2');
    expect(s.errors).toEqual({ name: 'too long' });
    expect(s.values.id).toBe('C-2');
  });

  it('flags required fields left blank or only spaces', () => {
    const s = checkRequired(initialForm({ id: '  ', name: 'x', date_of_birth: '' }), ['id', 'name']);
    expect(s.errors).toEqual({ id: 'Required.' });
    expect(hasErrors(s)).toBe(true);
    expect(hasErrors(checkRequired(start(), ['id', 'name']))).toBe(false);
  });
});
