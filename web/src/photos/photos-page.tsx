// A client's photos: taken with the tablet's camera (or chosen from its files) and uploaded as the raw image
// (POST /api/v1/clients/{id}/photos, the body with its own content type), then shown before/after side by side
// per treatment area and date (the photo's own area — a baseline photo at intake has no session — else the area
// of the session it names).
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { describeProblem, type Problem } from '../api/problem';
import { LoadProblem, useLoad, when } from '../load';
import { groupPhotos, uploadQuery } from './photo-logic';

type Photo = Schemas['Photo'];

export function PhotosPage({ id }: { id: string }) {
  const history = useLoad(() => call(api.GET('/api/v1/clients/{id}/history', { params: { path: { id } } })), [id]);
  // The areas a photo may name: the pack's (GET /api/v1/vocabulary); without them the upload offers none.
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary', { params: { query: { kind: 'areas' } } })), []);
  const areas = vocab.state.kind === 'ok' ? ((vocab.state.data.areas ?? []) as { id: string; label: string }[]) : [];
  if (history.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Photos — {id}</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (history.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Photos — {id}</h1>
        <LoadProblem problem={history.state.problem} retry={history.reload} />
      </section>
    );
  }
  const h = history.state.data;
  const groups = groupPhotos(h.photos, h.sessions);
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(h.client.id)}`}>{h.client.name}</a> › Photos
      </p>
      <h1>Photos — {h.client.name}</h1>
      <Upload clientId={h.client.id} sessions={h.sessions} areas={areas} onUploaded={history.reload} />
      <h2>Before and after</h2>
      {groups.length === 0 ? <p>No photo yet.</p> : null}
      {groups.map((g) => (
        <section key={`${g.area}-${g.session_id ?? 'd'}-${g.date}`} class="panel photo-group" aria-label={`${g.area || 'No area'}, ${g.date}`}>
          <h3>
            {g.area || 'No area'} — {g.session_id ? `session ${g.session_id}` : 'no session'}, {g.date}
          </h3>
          <div class="pair">
            <PhotoColumn title="Before" clientId={h.client.id} photos={g.before} />
            <PhotoColumn title="After" clientId={h.client.id} photos={g.after} />
          </div>
          {g.other.length ? <PhotoColumn title="Follow-up and other" clientId={h.client.id} photos={g.other} /> : null}
        </section>
      ))}
    </section>
  );
}

function PhotoColumn({ title, clientId, photos }: { title: string; clientId: string; photos: Photo[] }) {
  return (
    <div class="photo-column">
      <h4>{title}</h4>
      {photos.length === 0 ? <p class="sub">None.</p> : null}
      {photos.map((p) => (
        <figure key={p.id} class="photo">
          <img
            src={`/api/v1/clients/${encodeURIComponent(clientId)}/photos/${p.id}/image`}
            alt={`${p.kind} photo ${p.id}${p.note ? `: ${p.note}` : ''}`}
            loading="lazy"
          />
          <figcaption>
            {when(p.taken_at)}
            {p.note ? ` — ${p.note}` : ''}
          </figcaption>
        </figure>
      ))}
    </div>
  );
}

function Upload({
  clientId,
  sessions,
  areas,
  onUploaded,
}: {
  clientId: string;
  sessions: Schemas['Session'][];
  areas: { id: string; label: string }[];
  onUploaded: () => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState('before');
  const [session, setSession] = useState(sessions.length ? String(sessions[sessions.length - 1]!.id) : '');
  const [note, setNote] = useState('');
  const [area, setArea] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setFileError('Take or choose a photo first.');
      return;
    }
    setBusy(true);
    setProblem(null);
    const out = await call(
      api.POST('/api/v1/clients/{id}/photos', {
        params: { path: { id: clientId }, query: uploadQuery({ kind, session_id: session, note, name: file.name, area }) as never },
        body: file as never,
        bodySerializer: (b: unknown) => b as BodyInit,
        // The file's own type: the server stores JPEG and PNG and refuses anything else with its reason (415).
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      }),
    );
    setBusy(false);
    if (out.ok) {
      // The kind, session and note stay: the next photo is usually of the same visit.
      setFile(null);
      setNote('');
      onUploaded();
    } else setProblem(out.problem);
  };
  return (
    <form class="card" onSubmit={(e) => void send(e)} noValidate aria-labelledby="upload-title">
      <h2 id="upload-title">Add a photo</h2>
      <div class="grid2">
        <div class={fileError ? 'field field-invalid' : 'field'}>
          <label for="photo-file">Photo</label>
          <input
            id="photo-file"
            type="file"
            accept="image/*"
            capture="environment"
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={fileError ? 'photo-file-error' : undefined}
            onChange={(e) => {
              setFileError(null);
              setFile(e.currentTarget.files?.[0] ?? null);
            }}
          />
          {fileError ? (
            <p class="field-error" id="photo-file-error" role="alert">
              {fileError}
            </p>
          ) : null}
        </div>
        <div class="field">
          <label for="photo-kind">Kind</label>
          <select id="photo-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="before">Before</option>
            <option value="after">After</option>
            <option value="followup">Follow-up</option>
            <option value="other">Other</option>
          </select>
        </div>
        <div class="field">
          <label for="photo-session">Session</label>
          <select id="photo-session" value={session} onChange={(e) => setSession(e.currentTarget.value)}>
            <option value="">No session</option>
            {sessions.map((s) => (
              <option key={s.id} value={String(s.id)}>
                Session {s.id}: {s.area}, {s.started_at.slice(0, 10)}
              </option>
            ))}
          </select>
        </div>
        <div class={problem?.field === 'area' ? 'field field-invalid' : 'field'}>
          <label for="photo-area">Area</label>
          <select
            id="photo-area"
            value={area}
            onChange={(e) => setArea(e.currentTarget.value)}
            aria-invalid={problem?.field === 'area' ? 'true' : undefined}
            aria-describedby={problem?.field === 'area' ? 'photo-area-error' : 'photo-area-hint'}
          >
            <option value="">The session’s area</option>
            {areas.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label || a.id}
              </option>
            ))}
          </select>
          <p class="hint" id="photo-area-hint">
            A photo at intake, before any session, names its area here.
          </p>
          {problem?.field === 'area' ? (
            <p class="field-error" id="photo-area-error" role="alert">
              {describeProblem(problem)}
            </p>
          ) : null}
        </div>
        <div class="field">
          <label for="photo-note">Note</label>
          <input id="photo-note" type="text" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
      </div>
      {problem && problem.field !== 'area' ? (
        <div class="problem" role="alert">
          {describeProblem(problem)}
        </div>
      ) : null}
      <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
        {busy ? 'Uploading…' : problem ? 'Try again' : 'Upload'}
      </button>
    </form>
  );
}
