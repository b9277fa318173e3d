// A client's record as one timeline, newest first: every intake (with its decision), consent, course,
// appointment, session, follow-up, escalation and photo of GET /api/v1/clients/{id}/history.
import type { Schemas } from '../api/client';
import { day, when } from '../api/time';

export type History = Schemas['ClientHistory'];

export type TimelineKind =
  | 'intake'
  | 'consent'
  | 'course'
  | 'appointment'
  | 'session'
  | 'followup'
  | 'escalation'
  | 'photo';

export interface TimelineEntry {
  kind: TimelineKind;
  /** UTC time it happened (an intake's date at 00:00 when only the date is known). */
  at: string;
  title: string;
  detail: string;
  /** Shown in red: an open escalation, a contraindicated or referred intake, a see-doctor follow-up. */
  alarm: boolean;
}

function dateTime(date: string): string {
  return date.length === 10 ? `${date}T00:00:00Z` : date;
}

export function timeline(h: History): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const i of h.intakes) {
    const areas = i.areas.map((a) => `${a.area}: ${a.decision}`).join(', ');
    out.push({
      kind: 'intake',
      at: dateTime(i.recorded_at || i.intake_date),
      title: `Intake of ${day(i.intake_date)} — ${i.decision.replace('_', ' ')}`,
      detail: areas ? `Areas: ${areas}. Pack ${i.pack}.` : `Pack ${i.pack}.`,
      alarm: i.decision === 'contraindicated' || i.decision === 'refer',
    });
  }
  for (const c of h.consents) {
    out.push({
      kind: 'consent',
      at: c.signed_at,
      title: c.withdrawn_at ? 'Consent (withdrawn)' : 'Consent signed',
      detail: `Signed by ${c.signer}${c.withdrawn_at ? `; withdrawn ${when(c.withdrawn_at)} by ${c.withdrawn_by}` : ''}.`,
      alarm: false,
    });
  }
  for (const c of h.courses) {
    out.push({
      kind: 'course',
      at: c.created_at,
      title: `Course planned from ${day(c.start)}`,
      detail: `From intake ${c.intake_id}; pack ${c.pack}.`,
      alarm: false,
    });
  }
  for (const a of h.appointments) {
    out.push({
      kind: 'appointment',
      at: a.at,
      title: `Appointment (${a.state})`,
      detail: `${a.area}, ${a.needle_length_mm} mm needles.`,
      alarm: false,
    });
  }
  for (const s of h.sessions) {
    out.push({
      kind: 'session',
      at: s.started_at,
      title: s.finished_at ? 'Session' : 'Session (not finished)',
      detail: `${s.area}, ${s.device}, ${s.needle_length_mm} mm${s.passes != null ? `, ${s.passes} passes` : ''}.`,
      alarm: false,
    });
  }
  for (const f of h.followups) {
    out.push({
      kind: 'followup',
      at: f.observed_at,
      title: f.triage === 'see_doctor' ? 'Follow-up — see a doctor' : 'Follow-up — normal',
      detail: f.observations.length ? `Observed: ${f.observations.join(', ')}.` : 'Nothing observed.',
      alarm: f.triage === 'see_doctor',
    });
  }
  for (const e of h.escalations) {
    out.push({
      kind: 'escalation',
      at: e.opened_at,
      title: e.open ? 'Escalation — open' : 'Escalation — closed',
      detail: e.open ? e.reason : `${e.reason} Closed by ${e.closed_by}: ${e.close_note}`,
      alarm: e.open,
    });
  }
  for (const p of h.photos) {
    out.push({
      kind: 'photo',
      at: p.taken_at,
      title: `Photo (${p.kind})`,
      detail: [p.original_name, p.note].filter(Boolean).join(' — ') || p.media_type,
      alarm: false,
    });
  }
  // Newest first; ties keep the order above (the order of the treatment flow).
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at === b.e.at ? a.i - b.i : a.e.at < b.e.at ? 1 : -1))
    .map(({ e }) => e);
}
