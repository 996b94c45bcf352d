// PowerShell string literals. Single-quoted strings expand nothing; a quote inside is doubled.
// PowerShell also treats the typographic quotes ‘ ’ ‚ ‛ as single quotes, so they are doubled too.
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

export function psArray(values: string[]): string {
  return values.length === 1 ? psQuote(values[0]) : `@(${values.map(psQuote).join(', ')})`;
}
