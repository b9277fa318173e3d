// A client's aftercare sheet for one of their sessions (GET /api/v1/portal/sessions/{id}/aftercare): the sheet
// the session's finish queued, shown as the clinic's aftercare page shows it (SheetView), printable.
import { api, call } from '../api/client';
import { SheetView } from '../aftercare/aftercare-page';
import { LoadProblem, useLoad } from '../load';

export function PortalAftercarePage({ id }: { id: string }) {
  const sheet = useLoad(
    () => call(api.GET('/api/v1/portal/sessions/{id}/aftercare', { params: { path: { id } } })),
    [id],
  );
  if (sheet.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Aftercare</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (sheet.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Aftercare</h1>
        <LoadProblem problem={sheet.state.problem} retry={sheet.reload} />
        <p>
          <a href="/portal">Back to your treatment</a>
        </p>
      </section>
    );
  }
  return (
    <section class="page">
      <p class="crumbs no-print">
        <a href="/portal">Your treatment</a> › Aftercare
      </p>
      <SheetView sheet={sheet.state.data} />
      <div class="actions no-print">
        <button type="button" class="secondary" onClick={() => window.print()}>
          Print
        </button>
        <a class="button primary" href={`/portal/sessions/${id}/self-check`}>
          How is your skin? (self-check)
        </a>
      </div>
    </section>
  );
}
