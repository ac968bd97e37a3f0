/** A duration for people: "<1m", "45m", "2h", "1h30m", "2d4h" (two largest units, rounded to minutes). */
export function roughDuration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return '<1m';
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of [
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
  }
  return parts
    .slice(0, 2)
    .filter((p) => !/^0/.test(p))
    .join('');
}
