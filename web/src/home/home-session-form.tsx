// The home-session log form (S2): area, day and home roller. ONE component for every face that logs a home
// session: it takes the API base path (`/api/v1/clients/C-0001` on the staff record; the client portal passes
// its own) and loads the client's rollers from there, so the portal mounts it unchanged. The server checks the
// pack's interval rule; a refusal names `performed_on` and is shown next to the date with its rule.
import { useState } from 'preact/hooks';
import { Field, FormProblem, SubmitButton, useForm } from '../forms/form';
import { SelectField } from '../rollers/select-field';
import {
  homeSessionBody,
  homeUrl,
  labelOf,
  requestJson,
  usableRollers,
  type HomeRollerLife,
  type HomeSession,
  type HomeSessionField,
} from './home-logic';

export interface HomeSessionFormProps {
  /** The API base the client's home routes hang from: `${base}/home-rollers`, `${base}/home-sessions`. */
  base: string;
  /** The areas to offer, as the pack names them (the caller loads them: GET /api/v1/vocabulary for staff). */
  areas: readonly { id: string; label: string }[];
  /** The pack's home devices, to name a roller's device by its label. */
  devices: readonly { id: string; label: string }[];
  /** The client's home rollers (HomeRoller), as the caller loaded them from `${base}/home-rollers`. */
  rollers: readonly HomeRollerLife[];
  /** Today, YYYY-MM-DD: the date field's default. */
  today: string;
  onLogged: (session: HomeSession) => void;
}

export function HomeSessionForm(p: HomeSessionFormProps) {
  const usable = usableRollers(p.rollers);
  const [logged, setLogged] = useState<HomeSession | null>(null);
  const form = useForm<HomeSessionField, { session: HomeSession; message_id: number }>({
    initial: {
      home_roller_id: usable[0] ? String(usable[0].id) : '',
      area: p.areas[0]?.id ?? '',
      performed_on: p.today,
      note: '',
    },
    required: ['home_roller_id', 'area', 'performed_on'],
    submit: (v) => requestJson('POST', homeUrl(p.base, 'home-sessions'), homeSessionBody(v)),
    onSuccess: (data) => {
      setLogged(data.session);
      p.onLogged(data.session);
    },
  });
  if (usable.length === 0) {
    return <p class="note">No home roller in use is registered for this client: register one to log a session.</p>;
  }
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="home-session-title">
      <h3 id="home-session-title">Log a home session</h3>
      <div class="grid2">
        <SelectField
          form={form}
          name="area"
          label="Area"
          required
          options={p.areas.map((a) => ({ value: a.id, label: a.label }))}
        />
        <Field form={form} name="performed_on" label="Date" type="date" required />
        <SelectField
          form={form}
          name="home_roller_id"
          label="Home roller"
          required
          options={usable.map((r) => ({
            value: String(r.id),
            label: `${labelOf(p.devices, r.device)} ${r.id} (lot ${r.lot})`,
          }))}
        />
        <Field form={form} name="note" label="Note" />
      </div>
      <FormProblem state={form.state} />
      <div class="actions">
        <SubmitButton state={form.state}>Log home session</SubmitButton>
      </div>
      {logged ? (
        <p class="note" role="status">
          Logged: {logged.area} on {logged.performed_on}.
        </p>
      ) : null}
    </form>
  );
}
