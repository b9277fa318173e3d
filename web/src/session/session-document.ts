// The engine document of a stored session: what `POST /protocol` and `POST /aftercare` take as the session, the
// same input the start used (one place, so the runner and the aftercare sheet cannot ask about different things).
import type { Schemas } from '../api/client';

export function sessionDocument(s: Schemas['Session']) {
  return {
    client_id: s.client_id,
    area: s.area,
    device: s.device,
    needle_length_mm: s.needle_length_mm,
    start: s.started_at,
    cocktail: s.cocktail,
    conditions: s.conditions,
    ...(s.acknowledged?.length ? { acknowledge: s.acknowledged } : {}),
  };
}
