// The 24-hour self-check: the client ticks what they see, in the pack's words (GET /api/v1/portal/observations),
// says when, and may add a photo from the camera. POST …/self-check records it as the session's follow-up: the
// follow-up engine triages it, and "see a doctor" opens an escalation the clinic's Today page shows at once.
// The result is the triage with the pack's own words for what to do.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { localiseTimes } from '../api/time';
import { ProblemNote } from '../forms/form';
import { LoadProblem, useLoad } from '../load';
import { toUtc } from './portal-api';

type Result = Schemas['PortalSelfCheckResult'];

/** "YYYY-MM-DDTHH:MM" in the device's zone (a datetime-local field's value) for an instant. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SelfCheckPage({ id }: { id: string }) {
  const vocab = useLoad(() => call(api.GET('/api/v1/portal/observations')), []);
  const [chosen, setChosen] = useState<string[]>([]);
  const [seenAt, setSeenAt] = useState(() => localInput(new Date()));
  const [photo, setPhoto] = useState<File | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  if (vocab.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>How is your skin?</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (vocab.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>How is your skin?</h1>
        <LoadProblem problem={vocab.state.problem} retry={vocab.reload} />
      </section>
    );
  }
  if (result) return <SelfCheckResult r={result} />;
  const observations = vocab.state.data.items;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    let photoId: number | undefined;
    if (photo) {
      const up = await call(
        api.POST('/api/v1/portal/photos', {
          params: { query: { session_id: Number(id), name: photo.name } },
          body: photo as never,
          bodySerializer: (b: unknown) => b as BodyInit,
          headers: { 'Content-Type': photo.type || 'application/octet-stream' },
        }),
      );
      if (!up.ok) {
        setBusy(false);
        setProblem(up.problem);
        return;
      }
      photoId = up.data.id;
    }
    const observedAt = toUtc(seenAt);
    const out = await call(
      api.POST('/api/v1/portal/sessions/{id}/self-check', {
        params: { path: { id } },
        body: {
          observations: chosen,
          ...(observedAt ? { observed_at: observedAt } : {}),
          ...(photoId !== undefined ? { photo_id: photoId } : {}),
        },
      }),
    );
    setBusy(false);
    if (out.ok) setResult(out.data);
    else setProblem(out.problem);
  };
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/portal">Your treatment</a> › Self-check
      </p>
      <h1>How is your skin?</h1>
      <p class="sub">Tick what you see on the treated skin. If you see none of these, tick nothing and send.</p>
      <form class="card narrow-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset class={problem?.field?.startsWith('observations') ? 'chips-set field-invalid' : 'chips-set'}>
          <legend>What you see</legend>
          <div class="chips">
            {observations.map((o) => (
              <label class="choice" key={o.id}>
                <input
                  type="checkbox"
                  checked={chosen.includes(o.id)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setChosen((l) => (on ? [...l, o.id] : l.filter((x) => x !== o.id)));
                  }}
                />
                {o.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div class={problem?.field === 'observed_at' || problem?.field === 'at' ? 'field field-invalid' : 'field'}>
          <label for="seen-at">When did you see this?</label>
          <input id="seen-at" type="datetime-local" value={seenAt} onInput={(e) => setSeenAt(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="photo">A photo (optional)</label>
          <input
            id="photo"
            type="file"
            accept="image/jpeg,image/png"
            capture="environment"
            onChange={(e) => setPhoto(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <ProblemNote problem={problem} />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Sending…' : problem ? 'Try again' : 'Send to the clinic'}
        </button>
      </form>
    </section>
  );
}

function SelfCheckResult({ r }: { r: Result }) {
  const doctor = r.result.triage === 'see_doctor';
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/portal">Your treatment</a> › Self-check
      </p>
      <h1>Your self-check</h1>
      <div class={doctor ? 'card triage see-doctor' : 'card triage'}>
        <h2>
          <span role="status">{doctor ? 'See a doctor' : 'This is normal healing'}</span>
        </h2>
        {r.result.observations.length ? (
          <ul>
            {r.result.observations.map((o) => (
              <li key={o.rule}>{localiseTimes(o.message)}</li>
            ))}
          </ul>
        ) : (
          <p>You reported nothing unusual.</p>
        )}
        {r.escalated ? (
          <p>
            <strong>The clinic has been told.</strong>
          </p>
        ) : null}
        {r.result.recheck.length ? <p>Look again: {localiseTimes(r.result.recheck.join('; '))}</p> : null}
      </div>
      <a class="button secondary" href="/portal">
        Back to your treatment
      </a>
    </section>
  );
}
