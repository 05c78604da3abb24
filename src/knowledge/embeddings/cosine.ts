/** The `limit` vectors most similar to `query` (all normalised: cosine is the dot product), best first. */
export function nearest(query: Float32Array, vectors: readonly { chunkId: number; vector: Float32Array }[], limit: number): { chunkId: number; score: number }[] {
  const scored: { chunkId: number; score: number }[] = [];
  for (const { chunkId, vector } of vectors) {
    if (vector.length !== query.length) continue; // written by a model with other dimensions
    let dot = 0;
    for (let i = 0; i < vector.length; i++) dot += vector[i]! * query[i]!;
    scored.push({ chunkId, score: dot });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, limit);
}
