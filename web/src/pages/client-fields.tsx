// The client's details as a form shows them, written once for adding a client (clients.tsx) and editing one
// (client-record.tsx): name, date of birth, email and phone. The checks are the server's (one check for add and
// edit in the store); its error shows next to the field it names.
import type { FormState } from '../forms/form-state';
import { Field } from '../forms/form';

type Detail = 'name' | 'date_of_birth' | 'email' | 'phone';

/** `editing`: the hints say that an empty email or phone removes it. */
export function ClientDetailFields(p: {
  form: { state: FormState<Detail>; set: (f: Detail, v: string) => void };
  editing?: boolean;
  autoFocus?: boolean;
}) {
  return (
    <>
      <Field form={p.form} name="name" label="Name" required autoComplete="off" autoFocus={p.autoFocus} />
      <Field form={p.form} name="date_of_birth" label="Date of birth" type="date" />
      <Field
        form={p.form}
        name="email"
        label="Email"
        type="email"
        autoComplete="off"
        hint={p.editing ? 'Leave empty to remove it.' : undefined}
      />
      <Field
        form={p.form}
        name="phone"
        label="Phone"
        type="tel"
        autoComplete="off"
        hint={p.editing ? 'Digits, spaces and + - ( ); empty removes it.' : 'Digits, spaces and + - ( ).'}
      />
    </>
  );
}
