// Rollers: the inventory (GET /api/v1/rollers, paged by the API's cursor) with each roller's state, client,
// expiry and uses; registering one (POST /api/v1/rollers) with a field a barcode scanner can type into.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call, type Schemas } from '../api/client';
import { Field, FormActions, useForm } from '../forms/form';
import { ShowMore, usePaged } from '../forms/paged';
import { LoadProblem, useLoad } from '../load';
import { parseScan, rollerShown, shownLabel, todayUtc } from './roller-logic';
import { SelectField } from './select-field';

type Roller = Schemas['Roller'];

export function RollersPage() {
  const { route } = useLocation();
  // The inventory's pages (forms/paged.tsx): "Show more" appends the next.
  const inventory = usePaged(
    (cursor) => call(api.GET('/api/v1/rollers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
    [],
    (r) => r.id,
  );
  const [registering, setRegistering] = useState(false);
  const today = todayUtc();
  return (
    <section class="page">
      <div class="page-head">
        <h1>Rollers</h1>
        <div class="actions">
          <a class="button secondary" href="/rollers/recall">
            Recall a lot
          </a>
          {!registering ? (
            <button type="button" class="primary" onClick={() => setRegistering(true)}>
              Register a roller
            </button>
          ) : null}
        </div>
      </div>
      {registering ? (
        <RegisterForm onCancel={() => setRegistering(false)} onRegistered={(r) => route(`/rollers/${r.id}`)} />
      ) : null}
      {!inventory.state.started && inventory.state.loading ? <p aria-busy="true">Loading…</p> : null}
      {inventory.state.started ? (
        inventory.state.items.length === 0 ? (
          <p>No roller or cartridge is registered yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Roller inventory, scrolls sideways">
            <table class="table" aria-label="Roller inventory">
              <thead>
                <tr>
                  <th scope="col">Roller</th>
                  <th scope="col">Lot / serial</th>
                  <th scope="col">Status</th>
                  <th scope="col">Client</th>
                  <th scope="col">Expiry</th>
                  <th scope="col">Uses</th>
                </tr>
              </thead>
              <tbody>
                {inventory.state.items.map((r) => {
                  const shown = rollerShown(r, today);
                  return (
                    <tr key={r.id} class={`roller-${shown}`}>
                      <td>
                        <a class="row-link" href={`/rollers/${r.id}`}>
                          #{r.id} {r.device} {r.needle_length_mm} mm
                        </a>
                      </td>
                      <td>
                        {r.lot}
                        {r.serial ? <span class="sub"> / {r.serial}</span> : null}
                      </td>
                      <td>
                        <span class={`status status-${shown}`}>{shownLabel[shown]}</span>
                      </td>
                      <td>{r.client_id ? <a href={`/clients/${encodeURIComponent(r.client_id)}`}>{r.client_id}</a> : '—'}</td>
                      <td>{r.expiry}</td>
                      <td>{r.uses}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      <ShowMore paged={inventory}>Show more rollers</ShowMore>
    </section>
  );
}

function RegisterForm({ onCancel, onRegistered }: { onCancel: () => void; onRegistered: (r: Roller) => void }) {
  const devices = useLoad(() => call(api.GET('/api/v1/vocabulary', { params: { query: { kind: 'devices' } } })), []);
  const [scan, setScan] = useState('');
  const [scanned, setScanned] = useState<string | null>(null);
  const form = useForm({
    initial: { lot: '', serial: '', udi: '', device: '', needle_count: '', needle_length_mm: '', expiry: '' },
    required: ['lot', 'device', 'needle_count', 'needle_length_mm', 'expiry'],
    submit: (v) =>
      call(
        api.POST('/api/v1/rollers', {
          body: {
            lot: v.lot.trim(),
            ...(v.serial.trim() ? { serial: v.serial.trim() } : {}),
            ...(v.udi.trim() ? { udi: v.udi.trim() } : {}),
            device: v.device,
            needle_count: Number(v.needle_count),
            needle_length_mm: Number(v.needle_length_mm),
            expiry: v.expiry,
          },
        }),
      ),
    onSuccess: (r) => onRegistered(r),
  });
  // A scanner types the label and presses Enter: that fills the fields it carries and never submits the form.
  const takeScan = () => {
    const s = parseScan(scan);
    if (!s) return;
    const filled: string[] = [];
    for (const k of ['lot', 'serial', 'udi', 'expiry'] as const) {
      const v = s[k];
      if (v !== undefined) {
        form.set(k, v);
        filled.push(k);
      }
    }
    setScanned(`Filled from the label: ${filled.join(', ')}.`);
    setScan('');
  };
  const deviceList = devices.state.kind === 'ok' ? (devices.state.data.devices ?? []) : [];
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="register-title">
      <h2 id="register-title">Register a roller or cartridge</h2>
      <div class="field scan">
        <label for="scan">Scan the label</label>
        <input
          id="scan"
          type="text"
          value={scan}
          autoFocus
          autoComplete="off"
          aria-describedby="scan-hint"
          onInput={(e) => setScan(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              takeScan();
            }
          }}
          onBlur={takeScan}
        />
        <p class="hint" id="scan-hint">
          Point the barcode scanner here (GS1 labels fill lot, serial, UDI and expiry), or type into the fields below.
        </p>
        {scanned ? (
          <p class="notice" role="status">
            {scanned}
          </p>
        ) : null}
      </div>
      {devices.state.kind === 'failed' ? <LoadProblem problem={devices.state.problem} retry={devices.reload} /> : null}
      <div class="grid2">
        <Field form={form} name="lot" label="Lot" required />
        <Field form={form} name="serial" label="Serial" />
        <Field form={form} name="udi" label="UDI" />
        <SelectField
          form={form}
          name="device"
          label="Device"
          required
          options={[{ value: '', label: 'Choose…' }, ...deviceList.map((d) => ({ value: d.id, label: d.label }))]}
        />
        <Field form={form} name="needle_count" label="Needles" required hint="e.g. 192 for a drum roller" />
        <Field form={form} name="needle_length_mm" label="Needle length (mm)" required />
        <Field form={form} name="expiry" label="Expiry" type="date" required />
      </div>
      <FormActions state={form.state} onCancel={onCancel}>
        Register
      </FormActions>
    </form>
  );
}
