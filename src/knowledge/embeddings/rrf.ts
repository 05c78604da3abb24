/** The usual constant of reciprocal rank fusion (Cormack et al. 2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each id scores the sum of 1 / (k + rank) over the rankings that hold it (rank from 1), so
 * an item near the top of both the word ranking and the meaning ranking comes first, and no score scale has to be
 * compared across rankings. Ties keep the order of first appearance.
 */
export function fuseRankings(rankings: readonly (readonly number[])[], k = RRF_K): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + index + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
