// The Photos page's own logic (tests/unit/photo-logic.test.ts): the before/after pairs shown side by side, per
// treatment area and date. A photo's area is its own when it names one (a baseline photo at intake, before any
// session), else its session's; a photo with neither is shown under "No area".

export interface PhotoLike {
  id: number;
  session_id: number | null;
  kind: string;
  taken_at: string;
  /** The photo's own area (left out when it names none). */
  area?: string | null;
}

export interface SessionLike {
  id: number;
  area: string;
  started_at: string;
}

export interface PhotoGroup<P> {
  /** The photo's own area, else its session's, or '' when it has neither. */
  area: string;
  /** The session's day (YYYY-MM-DD, UTC), else the photo's. */
  date: string;
  session_id: number | null;
  before: P[];
  after: P[];
  /** Follow-up and other photos of the same group. */
  other: P[];
}

/** The area a photo shows: its own, else its session's ('' for neither). */
export function photoArea(p: PhotoLike, session: SessionLike | undefined): string {
  return p.area || session?.area || '';
}

/**
 * Photos grouped by area and session (or, without a session, by area and day), newest group first; in a group,
 * oldest photo first.
 */
export function groupPhotos<P extends PhotoLike>(photos: readonly P[], sessions: readonly SessionLike[]): PhotoGroup<P>[] {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const groups = new Map<string, PhotoGroup<P>>();
  const sorted = [...photos].sort((a, b) => (a.taken_at < b.taken_at ? -1 : a.taken_at > b.taken_at ? 1 : a.id - b.id));
  for (const p of sorted) {
    const s = p.session_id !== null ? byId.get(p.session_id) : undefined;
    const area = photoArea(p, s);
    const date = (s?.started_at ?? p.taken_at).slice(0, 10);
    const key = `${area}|${s ? `s${s.id}` : `d${date}`}`;
    let g = groups.get(key);
    if (!g) {
      g = { area, date, session_id: s ? s.id : null, before: [], after: [], other: [] };
      groups.set(key, g);
    }
    if (p.kind === 'before') g.before.push(p);
    else if (p.kind === 'after') g.after.push(p);
    else g.other.push(p);
  }
  return [...groups.values()].sort((a, b) =>
    a.date < b.date ? 1 : a.date > b.date ? -1 : (b.session_id ?? 0) - (a.session_id ?? 0) || a.area.localeCompare(b.area),
  );
}

/** The upload's query: kind, session, area and note as the route takes them (empty ones left out). */
export function uploadQuery(v: { kind: string; session_id: string; note: string; name: string; area?: string }): Record<string, string | number> {
  const q: Record<string, string | number> = { kind: v.kind || 'other' };
  if (v.session_id) q['session_id'] = Number(v.session_id);
  if (v.area) q['area'] = v.area;
  if (v.note.trim()) q['note'] = v.note.trim();
  if (v.name) q['name'] = v.name;
  return q;
}
