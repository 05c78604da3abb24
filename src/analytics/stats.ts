/** A distribution of durations (ms): how many, the median and the 90th percentile; null when there are none. */
export interface Spread {
  count: number;
  median: number | null;
  p90: number | null;
}

/**
 * The p-quantile (0…1) of `values` by linear interpolation between the closest ranks (numpy's default, Excel's
 * PERCENTILE.INC): the median of [1, 2, 3, 4] is 2.5, the 90th percentile of 1…10 is 9.1. Null for no values.
 */
export function quantile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return Math.round(sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low));
}

export function spread(values: readonly number[]): Spread {
  return { count: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

/** A share 0…1 rounded to 4 places, or null when there is nothing to divide. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
