// Edit distance with adjacent transpositions counted once (Damerau, optimal string alignment): a swapped
// pair is the commonest slip when typing a name, and the thresholds below allow only one or two edits, so
// plain Levenshtein (which counts a swap as two) would miss PERSIST_BUKCET. Fifteen lines do not justify a
// dependency.
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function closest(name: string, known: Iterable<string>): { name: string; distance: number } | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (!best || d < best.distance) best = { name: k, distance: d };
  }
  return best;
}

/**
 * An environment variable `name` is probably a misspelling of: one edit away, or two for long names.
 * Strict because the environment is shared: STS_HOST is two edits from COS_HOST and stays somebody
 * else's setting; PERSIST_BUKET is one edit from ours.
 */
export function nearMissStrict(name: string, known: Iterable<string>): string | undefined {
  const best = closest(name, known);
  return best && best.distance > 0 && best.distance <= (name.length >= 16 ? 2 : 1) ? best.name : undefined;
}

/** A library option is typed in code, not inherited from a platform: any close name helps. */
export function nearMissLoose(name: string, known: Iterable<string>): string | undefined {
  const best = closest(name, known);
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}
