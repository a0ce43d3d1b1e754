/**
 * Numbering series for business partners: a POST with `Series` and no `CardCode` gets the
 * series' next code, as B1 assigns it from NNM1 (reference §7: `Series` on BusinessPartners;
 * the mapping's `customer.cardCode.mode: 'series'`). Every series other than the manual one
 * numbers here as `S<series>-<6 digits>`, so codes of one series sort in creation order (real
 * series carry the prefix and width an administrator chose). Series 1 is "Manual": it needs a
 * CardCode, as in B1. Wired from B1SimState.prepareCreate.
 */
export const MANUAL_SERIES = 1;

/** The CardCode B1 assigns, or undefined when the request names its own (or uses the manual series). */
export function seriesCardCode(rec: Record<string, unknown>, next: (counter: string) => number): string | undefined {
  if ((typeof rec.CardCode === 'string' && rec.CardCode !== '') || typeof rec.Series !== 'number' || rec.Series === MANUAL_SERIES)
    return undefined;
  return `S${rec.Series}-${String(next(`bpSeries:${rec.Series}`)).padStart(6, '0')}`;
}
