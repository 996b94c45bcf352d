// Writes a plan (the raw shape schema/relaycheck.schema.json describes) as commented YAML, with the
// yaml package's Document API: comments above keys and list items, at the end of a line, and
// commented-out blocks at the end of a mapping ("fill this in"). Used by `relaycheck import`; any
// command that writes a plan (the lab) can use it too.
import { Document, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { InboundSettings, OutboundSettings } from '../exo/connector-settings.js';

export type SecretRef = { env: string } | { file: string };

/** A plan's oauth2 block: client credentials (a secret or a certificate) or a ready token. */
export interface OAuth2Data {
  accessToken?: SecretRef;
  tenantId?: string;
  clientId?: string;
  clientSecret?: SecretRef & { expires?: string };
  certificate?: { cert: string; key: SecretRef };
  authority?: string;
  scope?: string;
}

export interface ValidationData {
  from?: string;
  to: string[];
  imap?: { host: string; secure?: boolean; username: string; password?: SecretRef; oauth2?: OAuth2Data; mailbox?: string; timeoutSeconds?: number; rejectUnauthorized?: boolean };
}

export interface ToOffice365Data extends InboundSettings {
  name: string;
  direction: 'to-office365';
  endpoint: string;
  connectorType?: 'OnPremises' | 'Partner';
  requireTls?: boolean;
  tlsSenderCertificateName?: string;
  senderIPs?: string[];
  clientCertificate?: { cert: string; key: SecretRef };
  candidateCertificate?: { cert: string; key?: SecretRef };
  senderDomains?: string[];
  validation?: ValidationData;
}

export interface FromOffice365Data extends OutboundSettings {
  name: string;
  direction: 'from-office365';
  smartHosts: string[];
  tls?: { mode: 'any' | 'trusted-ca' | 'domain'; domain?: string };
  validation?: ValidationData;
}

export interface SubmissionData {
  name: string;
  endpoint: string;
  service?: 'exchange-online' | 'hve' | 'acs' | 'other';
  username: string;
  password?: SecretRef;
  oauth2?: OAuth2Data;
  from: string;
  sendAs?: string[];
  expectForeignSenderRejected?: boolean;
  validation?: ValidationData;
}

/** A plan as written to relaycheck.yaml (before loading). Keys are written in this order. */
export interface PlanData {
  $schema?: string;
  version: 1;
  organization?: string;
  domain: string;
  acceptedDomains?: string[];
  trust?: { system?: boolean; ca?: string[] };
  resolve?: Record<string, string>;
  dns?: { servers: string[] };
  connectors?: (ToOffice365Data | FromOffice365Data)[];
  submission?: SubmissionData[];
  directSend?: { name: string; endpoint: string; rejectDirectSend?: boolean; validation: ValidationData & { from: string } }[];
  limits?: { messagesPerDay?: number; messagesPerMinute?: number; recipientsPerDay?: number; recipientsPerMessage?: number };
  tenant?: { licenses?: number; trial?: boolean };
  stateDir?: string;
  certificates?: { expiryWarnDays?: number };
  firewall?: { allowed?: string[]; ranges?: string[] };
  store?: string;
}

export type PlanPath = (string | number)[];

/**
 * A comment attached to the node at `path` ([] is the document; ['connectors', 0] a list item;
 * ['connectors', 0, 'endpoint'] a key):
 * - `before`: lines above the key or list item (the document's header for []);
 * - `after`: the rest of the line after a value;
 * - `end`: lines after the last entry of a mapping or list — e.g. a commented-out block to fill in.
 * Text may hold several lines; each becomes one `#` line.
 */
export interface PlanComment {
  path: PlanPath;
  before?: string;
  after?: string;
  end?: string;
}

export interface RenderOptions {
  comments?: PlanComment[];
  /** lists of scalars shorter than this are written on one line ([a, b]); default 100 */
  flowListWidth?: number;
}

/** One `#` line per line of text; control characters (but not newlines) become spaces. */
function commentText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029]/g, ' ')
    .split('\n')
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
}

function append(existing: string | null | undefined, text: string): string {
  return existing ? `${existing}\n${text}` : text;
}

export function renderPlan(data: PlanData, options: RenderOptions = {}): string {
  const doc = new Document(stripUndefined(data));
  const flowWidth = options.flowListWidth ?? 100;
  markFlowLists(doc.contents as Node, flowWidth);

  for (const c of options.comments ?? []) {
    if (c.path.length === 0) {
      if (c.before) doc.commentBefore = append(doc.commentBefore, commentText(c.before));
      if (c.end || c.after) doc.comment = append(doc.comment, commentText(c.end ?? c.after!));
      continue;
    }
    const parentPath = c.path.slice(0, -1);
    const last = c.path[c.path.length - 1];
    const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
    let target: Node | undefined;
    let keyNode: Node | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(last));
      if (!pair) throw new Error(`renderPlan: no key at ${c.path.join('.')}`);
      keyNode = pair.key as Node;
      target = pair.value as Node;
    } else if (isSeq(parent)) {
      target = parent.items[Number(last)] as Node | undefined;
      keyNode = target;
      if (!target) throw new Error(`renderPlan: no list item at ${c.path.join('.')}`);
    } else throw new Error(`renderPlan: nothing at ${c.path.join('.')}`);
    if (c.before && keyNode) keyNode.commentBefore = append(keyNode.commentBefore, commentText(c.before));
    if (c.after && target) target.comment = append(target.comment, commentText(c.after));
    if (c.end && target) target.comment = append(target.comment, commentText(c.end));
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
}

function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripUndefined) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stripUndefined(v);
    return out as T;
  }
  return value;
}

function markFlowLists(node: Node | null | undefined, width: number): void {
  if (isSeq(node)) {
    const scalars = node.items.every((i) => isScalar(i));
    if (scalars && node.items.map((i) => String((i as { value: unknown }).value)).join(', ').length <= width) node.flow = true;
    else for (const i of node.items) markFlowLists(i as Node, width);
  } else if (isMap(node)) {
    for (const p of node.items) markFlowLists(p.value as Node, width);
  }
}
