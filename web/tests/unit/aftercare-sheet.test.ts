import { describe, expect, it } from 'vitest';
import { uniqueSources } from '../../src/aftercare/sheet-logic';

describe('the aftercare sheet sources', () => {
  it('lists each source once, keeping the first full entry and the server order', () => {
    expect(uniqueSources(['S11: Fabbrocini 2009', 'S03: Alster 2018', 'S11: Fabbrocini 2009'])).toEqual([
      'S11: Fabbrocini 2009',
      'S03: Alster 2018',
    ]);
  });
  it('drops a bare id whose full entry is listed, before or after it', () => {
    expect(uniqueSources(['S11', 'S11: Fabbrocini 2009'])).toEqual(['S11: Fabbrocini 2009']);
    expect(uniqueSources(['S11: Fabbrocini 2009', 'S11'])).toEqual(['S11: Fabbrocini 2009']);
  });
  it('keeps a bare id nothing else explains, and different ids apart', () => {
    expect(uniqueSources(['S2', 'S20: x'])).toEqual(['S2', 'S20: x']);
  });
});
