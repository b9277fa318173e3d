// The client's consent to messages on their record: what is in force (the last record of
// GET /api/v1/clients/{id}/history's message_consents) and one button to record the other answer. The rule
// "no consent, no message" is the server's; this only records what the client said.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { ProblemNote } from '../forms/form';
import { when } from '../load';
import type { Problem } from '../api/problem';

const via: Record<Schemas['MessageConsent']['via'], string> = {
  clinic: 'at the clinic',
  portal: 'in the client pages',
  unsubscribe_link: 'by the unsubscribe link in a message',
};

export function MessageConsent({
  clientId,
  consents,
  mayRecord,
  onChanged,
}: {
  clientId: string;
  consents: Schemas['MessageConsent'][];
  mayRecord: boolean;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const last = consents.at(-1) ?? null;
  const record = async (agreed: boolean) => {
    setBusy(true);
    setProblem(null);
    const out = await call(
      api.POST('/api/v1/clients/{id}/message-consent', { params: { path: { id: clientId } }, body: { agreed } }),
    );
    setBusy(false);
    if (out.ok) onChanged();
    else setProblem(out.problem);
  };
  return (
    <div class="card" aria-label="Messages">
      <h2>Messages</h2>
      <p data-testid="message-consent">
        {last === null
          ? 'Not asked yet: no message is sent until the client agrees.'
          : last.agreed
            ? `Agreed ${via[last.via]} on ${when(last.recorded_at)}: aftercare, reminders and notices are e-mailed.`
            : `Not agreed (${via[last.via]}, ${when(last.recorded_at)}): no message is sent.`}
      </p>
      {mayRecord ? (
        <button type="button" class="secondary" disabled={busy} onClick={() => void record(!(last?.agreed ?? false))}>
          {last?.agreed ? 'Client withdraws consent to messages' : 'Client agrees to messages'}
        </button>
      ) : null}
      <ProblemNote problem={problem} />
    </div>
  );
}
