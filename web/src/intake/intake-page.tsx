// Intake and screening (POST /api/v1/intakes): the areas to treat tapped on the face and body map, the
// concerns per area, the conditions the client reports (local ones marked on the map where they are, dated ones
// with their start), a dermatologist's clearance; then the decision the server made, with every reason, its
// rule and its source, and what to do next. Every choice comes from GET /api/v1/vocabulary; every rule is the
// server's: nothing here decides.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { ProblemNote } from '../forms/form';
import { LoadProblem, useLoad } from '../load';
import { BodyMap } from './body-map';
import { intakeDocument, intakeSection, toggle, type IntakeForm, type VocabArea } from './map-logic';

type Vocabulary = Schemas['Vocabulary'];
type IntakeRecord = Schemas['IntakeRecord'];

export function IntakePage({ id }: { id: string }) {
  const client = useLoad(() => call(api.GET('/api/v1/clients/{id}', { params: { path: { id } } })), [id]);
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary')), []);
  if (client.state.kind === 'failed') return <Failed problem={client.state.problem} retry={client.reload} />;
  if (vocab.state.kind === 'failed') return <Failed problem={vocab.state.problem} retry={vocab.reload} />;
  if (client.state.kind === 'loading' || vocab.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Intake</h1>
        <p>Loading…</p>
      </section>
    );
  }
  return <IntakeFormView client={client.state.data} vocab={vocab.state.data} />;
}

function Failed({ problem, retry }: { problem: Problem; retry: () => void }) {
  return (
    <section class="page">
      <h1>Intake</h1>
      <LoadProblem problem={problem} retry={retry} />
    </section>
  );
}

function IntakeFormView({ client, vocab }: { client: Schemas['Client']; vocab: Vocabulary }) {
  const areas = (vocab.areas ?? []) as VocabArea[];
  const conditions = vocab.conditions ?? [];
  const concerns = vocab.concerns ?? [];
  const [form, setForm] = useState<IntakeForm>({
    date: new Date().toISOString().slice(0, 10),
    client: { id: client.id, name: client.name, date_of_birth: client.date_of_birth ?? null },
    areas: [],
    conditions: [],
    clearance: { by: '', date: '' },
  });
  // What a tap on the map does: choose areas to treat, or mark where a local condition is.
  const [mode, setMode] = useState<string>('treat');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [result, setResult] = useState<IntakeRecord | null>(null);

  const treat = form.areas.map((a) => a.area);
  const marking = mode === 'treat' ? null : form.conditions.find((c) => c.id === mode) ?? null;
  const localChecked = form.conditions.filter((c) => conditions.find((v) => v.id === c.id)?.scope === 'local');
  const labelOf = (areaId: string) => areas.find((a) => a.id === areaId)?.label ?? areaId;

  const onTap = (area: VocabArea) => {
    setProblem(null);
    if (marking) {
      setForm((f) => ({
        ...f,
        conditions: f.conditions.map((c) => (c.id === marking.id ? { ...c, areas: toggle(c.areas, area.id) } : c)),
      }));
    } else {
      setForm((f) => ({
        ...f,
        areas: f.areas.some((a) => a.area === area.id)
          ? f.areas.filter((a) => a.area !== area.id)
          : [...f.areas, { area: area.id, concerns: [] }],
      }));
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setProblem(null);
    const body = intakeDocument(form, conditions) as unknown as Schemas['Intake'];
    const out = await call(api.POST('/api/v1/intakes', { body }));
    setSubmitting(false);
    if (out.ok) setResult(out.data);
    else setProblem(out.problem);
  };

  if (result) return <Decision record={result} labelOf={labelOf} onAnother={() => setResult(null)} />;

  const section = intakeSection(problem?.field ?? null);
  const errorFor = (name: string) =>
    section === name ? <ProblemNote problem={problem} kind="field" showField id={`err-${name}`} /> : null;

  return (
    <section class="page">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(client.id)}`}>{client.id}</a> › intake
      </p>
      <h1>Intake — {client.name}</h1>
      <form onSubmit={submit} noValidate>
        <div class="field narrow-field">
          <label for="intake-date">Intake date</label>
          <input
            id="intake-date"
            type="date"
            value={form.date}
            onInput={(e) => setForm({ ...form, date: e.currentTarget.value })}
            aria-invalid={section === 'date' ? 'true' : undefined}
          />
          {errorFor('date')}
          {errorFor('client')}
        </div>

        <fieldset class="card">
          <legend>Where to treat</legend>
          <div class="map-mode" role="radiogroup" aria-label="What a tap on the map does">
            <label class="choice">
              <input type="radio" name="map-mode" checked={mode === 'treat'} onChange={() => setMode('treat')} />
              Choose areas to treat
            </label>
            {localChecked.map((c) => (
              <label class="choice" key={c.id}>
                <input type="radio" name="map-mode" checked={mode === c.id} onChange={() => setMode(c.id)} />
                Mark where: {conditions.find((v) => v.id === c.id)?.label ?? c.id}
              </label>
            ))}
          </div>
          <BodyMap
            areas={areas}
            marks={{ treat, marked: marking?.areas ?? [] }}
            mode={marking ? 'mark' : 'treat'}
            modeLabel={marking ? `mark where ${conditions.find((v) => v.id === marking.id)?.label ?? marking.id} is` : 'choose the areas to treat'}
            onTap={onTap}
          />
          {errorFor('areas')}
          {form.areas.length === 0 ? <p class="sub">No area chosen yet: tap the map.</p> : null}
          {form.areas.map((a) => (
            <fieldset class="area-concerns" key={a.area}>
              <legend>Concerns for {labelOf(a.area)}</legend>
              <div class="chips">
                {concerns.map((c) => (
                  <label class="choice" key={c.id}>
                    <input
                      type="checkbox"
                      checked={a.concerns.includes(c.id)}
                      onChange={() =>
                        setForm((f) => ({
                          ...f,
                          areas: f.areas.map((x) => (x.area === a.area ? { ...x, concerns: toggle(x.concerns, c.id) } : x)),
                        }))
                      }
                    />
                    {c.label}
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
        </fieldset>

        <fieldset class="card">
          <legend>What the client reports</legend>
          {errorFor('conditions')}
          <div class="chips">
            {conditions.map((c) => {
              const chosen = form.conditions.find((x) => x.id === c.id);
              return (
                <div key={c.id} class="condition">
                  <label class="choice">
                    <input
                      type="checkbox"
                      checked={!!chosen}
                      onChange={() => {
                        setForm((f) => ({
                          ...f,
                          conditions: chosen
                            ? f.conditions.filter((x) => x.id !== c.id)
                            : [...f.conditions, { id: c.id, areas: [], since: '' }],
                        }));
                        if (chosen && mode === c.id) setMode('treat');
                        if (!chosen && c.scope === 'local') setMode(c.id);
                      }}
                    />
                    {c.label}
                    {c.scope === 'local' ? <span class="sub"> (local)</span> : null}
                  </label>
                  {chosen && c.scope === 'local' ? (
                    <p class="sub where">
                      Where: {chosen.areas.length ? chosen.areas.map(labelOf).join(', ') : 'not marked yet — tap the map'}
                    </p>
                  ) : null}
                  {chosen && c.dated ? (
                    <div class="field">
                      <label for={`since-${c.id}`}>Since (date)</label>
                      <input
                        id={`since-${c.id}`}
                        type="date"
                        value={chosen.since}
                        onInput={(e) => {
                          const since = e.currentTarget.value;
                          setForm((f) => ({ ...f, conditions: f.conditions.map((x) => (x.id === c.id ? { ...x, since } : x)) }));
                        }}
                      />
                    </div>
                  ) : null}
                </div>
              );
            })}
          </div>
        </fieldset>

        <fieldset class="card">
          <legend>Dermatologist's clearance (if any)</legend>
          <div class="grid2">
            <div class="field">
              <label for="clear-by">Cleared by</label>
              <input id="clear-by" type="text" value={form.clearance.by} onInput={(e) => setForm({ ...form, clearance: { ...form.clearance, by: e.currentTarget.value } })} />
            </div>
            <div class="field">
              <label for="clear-date">Date of the clearance</label>
              <input id="clear-date" type="date" value={form.clearance.date} onInput={(e) => setForm({ ...form, clearance: { ...form.clearance, date: e.currentTarget.value } })} />
            </div>
          </div>
          {errorFor('dermatologist_clearance')}
        </fieldset>

        {!['date', 'client', 'areas', 'conditions', 'dermatologist_clearance'].includes(section ?? '') ? (
          <ProblemNote problem={problem} />
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={submitting} aria-busy={submitting}>
            {submitting ? 'Screening…' : problem ? 'Try again' : 'Screen and record'}
          </button>
          <a class="button secondary" href={`/clients/${encodeURIComponent(client.id)}`}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

const nextStep: Record<string, string> = {
  cleared: 'Cleared: plan the course.',
  exclude_area: 'Treat the other areas; never the excluded ones.',
  defer: 'Defer: screen again later.',
  refer: 'Refer to a doctor or dermatologist before any treatment.',
  contraindicated: 'Do not treat.',
};

function Decision({ record, labelOf, onAnother }: { record: IntakeRecord; labelOf: (a: string) => string; onAnother: () => void }) {
  const s = record.reasons;
  const alarm = s.decision !== 'cleared';
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(record.client_id)}`}>{record.client_id}</a> › intake
      </p>
      <h1>Screening decision</h1>
      <div class={alarm ? 'decision alarm' : 'decision'} role="status">
        <strong class="decision-word">{s.decision.replace('_', ' ')}</strong>
        <p>{nextStep[s.decision] ?? ''}</p>
        {s.rescreen_from ? <p>Screen again from {s.rescreen_from}.</p> : null}
      </div>
      <h2>By area</h2>
      <ul class="items">
        {s.areas.map((a) => (
          <li key={a.area} class={a.decision === 'cleared' ? 'item' : 'item escalation'}>
            <strong>{labelOf(a.area)}</strong>: {a.decision.replace('_', ' ')}
            <Reasons reasons={a.reasons} />
          </li>
        ))}
      </ul>
      <h2>Every reason</h2>
      {s.reasons.length === 0 ? <p>No rule stands against treatment.</p> : <Reasons reasons={s.reasons} />}
      {s.cautions.length ? (
        <>
          <h2>Cautions</h2>
          <Reasons reasons={s.cautions} />
        </>
      ) : null}
      {s.expected_reactions.length ? (
        <>
          <h2>Expected reactions</h2>
          <ul>
            {s.expected_reactions.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="sub">Pack {s.pack}; intake {record.id} recorded.</p>
      <div class="actions">
        <a class="button primary" href={`/clients/${encodeURIComponent(record.client_id)}`}>
          Back to the record
        </a>
        <button type="button" class="secondary" onClick={onAnother}>
          Another intake
        </button>
      </div>
    </section>
  );
}

function Reasons({ reasons }: { reasons: Schemas['Reason'][] }) {
  if (reasons.length === 0) return null;
  return (
    <ul class="reasons">
      {reasons.map((r, i) => (
        <li key={i}>
          <span class={`badge d-${r.decision}`}>{r.decision.replace('_', ' ')}</span> {r.message}{' '}
          <span class="rule">
            rule <code>{r.rule}</code>, source <code>{r.source}</code>
            {r.areas?.length ? <> — {r.areas.join(', ')}</> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
