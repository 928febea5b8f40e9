/** Returns the Levenshtein distance: the number of single-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Returns the candidate closest to `name` by edit distance, ignoring case. The first one wins a tie. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Returns the candidate closest to `name` when it is close enough to be a likely typo, else
 * undefined. Half the length allows a couple of typos in a short name without suggesting unrelated ones.
 */
export function closeName(name: string, candidates: readonly string[]): string | undefined {
  const closest = closestName(name, candidates);
  if (closest === undefined || closest === name) return undefined;
  const tolerance = Math.max(2, Math.floor(name.length / 2));
  return editDistance(name.toLowerCase(), closest.toLowerCase()) <= tolerance ? closest : undefined;
}
