// Start a session (from a client's record): the area, and the roller entered or scanned — the roller field
// takes a barcode scanner's input (it types the characters and Enter, which submits the form). The server
// checks every rule; its refusal (another client's roller, expired, recalled, no consent, the interval) is
// shown next to the field it names with its rule. A depth-guard warning needs the practitioner's
// acknowledgement: the protocol preview (POST /api/v1/protocol) names each warning rule with its margin, and
// the session is started again with the rules the practitioner acknowledged.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call, type Schemas } from '../api/client';
import { Field, FormProblem, SubmitButton, useForm } from '../forms/form';
import { LoadProblem, useLoad } from '../load';
import { rollerIdOf } from './roller-input';

type Guard = Schemas['Protocol']['depth_guard'][number];

export function SessionStartPage({ id }: { id: string }) {
  const { route } = useLocation();
  const client = useLoad(() => call(api.GET('/api/v1/clients/{id}', { params: { path: { id } } })), [id]);
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary')), []);
  const [warnings, setWarnings] = useState<Guard[] | null>(null);
  const [acknowledged, setAcknowledged] = useState<string[]>([]);

  const form = useForm({
    initial: { area: '', roller: '' },
    required: ['area', 'roller'],
    aliases: { roller_id: 'roller' },
    validate: (v) => (v.roller.trim() && rollerIdOf(v.roller) === null ? { roller: 'Enter or scan the roller’s number.' } : {}),
    submit: async (v) => {
      const roller_id = rollerIdOf(v.roller) ?? 0;
      const out = await call(
        api.POST('/api/v1/sessions', {
          body: { client_id: id, area: v.area, roller_id, ...(acknowledged.length ? { acknowledge: acknowledged } : {}) },
        }),
      );
      // A warning to acknowledge: the protocol preview names each rule, its region and its margin.
      if (!out.ok && out.problem.field === 'acknowledged') {
        const roller = await call(api.GET('/api/v1/rollers/{id}', { params: { path: { id: String(roller_id) } } }));
        if (roller.ok) {
          const preview = await call(
            api.POST('/api/v1/protocol', {
              body: {
                client_id: id,
                area: v.area,
                device: roller.data.roller.device,
                needle_length_mm: roller.data.roller.needle_length_mm,
                start: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
              },
            }),
          );
          if (preview.ok) setWarnings(preview.data.depth_guard.filter((g) => preview.data.unacknowledged.includes(g.rule)));
        }
      }
      return out;
    },
    onSuccess: (s) => route(`/sessions/${s.session.id}`),
  });

  if (client.state.kind === 'loading' || vocab.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Start a session</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (client.state.kind === 'failed' || vocab.state.kind === 'failed') {
    const failed = client.state.kind === 'failed' ? client.state : vocab.state.kind === 'failed' ? vocab.state : null;
    return (
      <section class="page">
        <h1>Start a session</h1>
        {failed ? <LoadProblem problem={failed.problem} retry={() => (client.reload(), vocab.reload())} /> : null}
      </section>
    );
  }
  const c = client.state.data;
  const areas = vocab.state.data.areas ?? [];
  const areaError = form.state.errors.area;
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</a> › Session
      </p>
      <h1>Start a session — {c.name}</h1>
      <form class="card narrow-form" onSubmit={form.onSubmit} noValidate>
        <div class={areaError ? 'field field-invalid' : 'field'}>
          <label for="f-area">
            Area<span class="req"> (required)</span>
          </label>
          <select
            id="f-area"
            value={form.state.values.area}
            onChange={(e) => form.set('area', e.currentTarget.value)}
            aria-invalid={areaError ? 'true' : undefined}
            aria-describedby={areaError ? 'f-area-error' : undefined}
          >
            <option value="">Choose the area</option>
            {areas.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
          {areaError ? (
            <p class="field-error" id="f-area-error" role="alert">
              {areaError}
            </p>
          ) : null}
        </div>
        <Field
          form={form}
          name="roller"
          label="Roller"
          required
          autoComplete="off"
          hint="Type the roller's number, or scan its label: the scanner's Enter starts the session."
        />
        {warnings && warnings.length ? (
          <fieldset class="warning-ack">
            <legend>Depth-guard warnings to acknowledge</legend>
            {warnings.map((g) => (
              <label class="choice ack" key={g.rule}>
                <input
                  type="checkbox"
                  checked={acknowledged.includes(g.rule)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setAcknowledged((l) => (on ? [...l, g.rule] : l.filter((r) => r !== g.rule)));
                  }}
                />
                <span>
                  I acknowledge <code>{g.rule}</code> ({g.source}): {g.summary}. Longest safe needle on {g.region}{' '}
                  {g.max_safe_length_mm} mm; {Math.round(g.within_dermis_share * 1000) / 10} % of the depth stays within
                  the dermis (floor {g.dermis_floor_mm} mm).
                </span>
              </label>
            ))}
          </fieldset>
        ) : null}
        <FormProblem state={form.state} />
        <SubmitButton state={form.state}>{acknowledged.length ? 'Acknowledge and start' : 'Start the session'}</SubmitButton>
      </form>
    </section>
  );
}
