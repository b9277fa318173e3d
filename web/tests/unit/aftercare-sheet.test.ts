import { describe, expect, it } from 'vitest';
import { sourceGroups } from '../../src/aftercare/sheet-logic';

const seed = (id: string) => `${id}: Micro-Needling in Cosmetics (seed article), ${id}`;

describe('the aftercare sheet sources', () => {
  it('names each section of one work once, under the work named once', () => {
    expect(sourceGroups([seed('S11'), seed('S12'), seed('S14')])).toEqual(['S11, S12, S14: Micro-Needling in Cosmetics (seed article)']);
  });
  it('lists an id once even when the server repeats it, in the server order', () => {
    expect(sourceGroups(['S3: Alster 2018', 'S11: Fabbrocini 2009', 'S3: Alster 2018'])).toEqual([
      'S3: Alster 2018',
      'S11: Fabbrocini 2009',
    ]);
  });
  it('keeps other works apart, a citation that merely ends in a number, and a bare id', () => {
    expect(sourceGroups([seed('S1'), 'K2: Kim 2020, S1', 'S9'])).toEqual([
      'S1: Micro-Needling in Cosmetics (seed article)',
      'K2: Kim 2020, S1',
      'S9',
    ]);
  });
});
