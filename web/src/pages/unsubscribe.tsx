// The page an unsubscribe link in a message opens (/unsubscribe#token=…). The token is in the fragment, so it
// never reaches a server log; nothing changes until the person presses the button (a mail scanner that
// follows links does not unsubscribe anyone). POST /api/v1/unsubscribe records the withdrawal.
import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { ProblemNote } from '../forms/form';
import type { Problem } from '../api/problem';

export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token && token.length > 0 ? token : null;
}

export function UnsubscribePage() {
  const token = tokenFromHash(window.location.hash);
  const [state, setState] = useState<'ready' | 'busy' | 'done'>('ready');
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async () => {
    if (!token) return;
    setState('busy');
    const out = await call(api.POST('/api/v1/unsubscribe', { body: { token } }));
    if (out.ok) {
      setState('done');
    } else {
      setProblem(out.problem);
      setState('ready');
    }
  };
  return (
    <main class="centre">
      <section class="card narrow" aria-labelledby="unsubscribe-title">
        <h1 id="unsubscribe-title">Messages from the clinic</h1>
        {token === null ? (
          <p>This address has no unsubscribe code. Open the link from the message again, or ask the clinic.</p>
        ) : state === 'done' ? (
          <p role="status">
            Done: the clinic will send you no more messages. A sign-in link you ask for yourself still arrives. You can
            agree to messages again at the clinic or in your client pages.
          </p>
        ) : (
          <>
            <p>Stop all messages from the clinic to you (aftercare, reminders, notices)?</p>
            <button type="button" class="primary" disabled={state === 'busy'} onClick={() => void submit()}>
              Stop messages
            </button>
          </>
        )}
        <ProblemNote problem={problem} />
      </section>
    </main>
  );
}
