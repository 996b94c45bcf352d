// Where a plan entry uses OAuth: its own oauth2 block (SMTP submission) and its validation
// mailbox's (IMAP delivery, which may be the same block). Pure: shared by the token probe and
// auth.oauth-token.
import type { OAuthSettings, PlanEntry } from '../types.js';

export interface OAuthUse {
  use: 'smtp' | 'imap';
  username: string;
  settings: OAuthSettings;
  path: string;
}

/** The oauth2 blocks an entry uses: its own (SMTP) and its IMAP mailbox's. */
export function oauthUses(entry: PlanEntry): OAuthUse[] {
  const uses: OAuthUse[] = [];
  if (entry.kind === 'submission' && entry.oauth2) uses.push({ use: 'smtp', username: entry.username, settings: entry.oauth2, path: `${entry.path}.oauth2` });
  const imap = entry.validation?.imap;
  if (imap?.oauth2) uses.push({ use: 'imap', username: imap.username, settings: imap.oauth2, path: imap.oauth2 === (entry.kind === 'submission' ? entry.oauth2 : undefined) ? `${entry.path}.oauth2` : `${entry.path}.validation.imap.oauth2` });
  return uses;
}
