// Tag-value lists ("v=DMARC1; p=reject; rua=mailto:…") as DMARC (RFC 7489 §6.4), MTA-STS
// (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) publish them in TXT records.

export interface TagList {
  /** tags in order of appearance, names lower-cased */
  tags: { name: string; value: string }[];
  errors: string[];
}

export function parseTagList(text: string): TagList {
  const tags: { name: string; value: string }[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const part of text.split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      errors.push(`"${item}" is not a tag=value pair`);
      continue;
    }
    const name = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      errors.push(`"${item.slice(0, eq).trim()}" is not a valid tag name`);
      continue;
    }
    if (seen.has(name)) errors.push(`tag "${name}" appears twice`);
    seen.add(name);
    tags.push({ name, value });
  }
  return { tags, errors };
}

export function tagValue(list: TagList, name: string): string | undefined {
  return list.tags.find((t) => t.name === name)?.value;
}
