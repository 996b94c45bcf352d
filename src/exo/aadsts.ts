// Microsoft Entra ID token endpoint errors (AADSTS codes) a client-credentials request for
// SMTP/IMAP meets, with their meaning and fix (Microsoft Learn, "Microsoft Entra authentication
// and authorization error codes"). Unknown codes fall back on the OAuth `error` field (RFC 6749 §5.2).

export interface AadstsExplanation {
  meaning: string;
  fix: string;
}

export const AADSTS: Record<number, AadstsExplanation> = {
  7000215: {
    meaning: 'the client secret is wrong (invalid client secret provided)',
    fix: "Copy the secret's Value (not its Secret ID) from the app registration's Certificates & secrets into the place the plan reads it from, or create a new secret.",
  },
  7000222: {
    meaning: 'the client secret has expired',
    fix: 'Create a new client secret in the app registration (Certificates & secrets), put it where the plan reads it, and set clientSecret.expires to its end date so relaycheck warns ahead next time.',
  },
  700016: {
    meaning: 'no application with this client id exists in the tenant (wrong clientId, or the app was registered in another tenant)',
    fix: "Copy the Application (client) ID from the app registration's Overview page into oauth2.clientId, and check that oauth2.tenantId is the tenant the app is registered in.",
  },
  90002: {
    meaning: 'the tenant was not found (wrong tenantId, or a tenant in another cloud)',
    fix: "Copy the Directory (tenant) ID from the app registration's Overview page into oauth2.tenantId; for GCC High or 21Vianet set oauth2.authority to that cloud's sign-in host.",
  },
  700027: {
    meaning: 'the client assertion is signed with a certificate the app registration does not know (certificate not registered, or the wrong key)',
    fix: "Upload the certificate (its public part, .cer/.pem) to the app registration's Certificates & secrets, and check that oauth2.certificate.key belongs to it.",
  },
  700024: {
    meaning: "the client assertion is outside its validity time: this machine's clock is off",
    fix: 'Synchronise the clock of the machine running relaycheck (NTP, timedatectl set-ntp true); Entra ID allows only a few minutes of skew.',
  },
  500011: {
    meaning: 'the resource (Exchange Online) was not found in the tenant: the scope names a service the tenant does not have, or the wrong cloud',
    fix: 'Check oauth2.scope (default https://outlook.office365.com/.default) and that the tenant has Exchange Online; for GCC High or 21Vianet set oauth2.authority to that cloud.',
  },
  7000112: {
    meaning: 'the application is disabled in the tenant',
    fix: "Enable the app's enterprise application (Enabled for users to sign-in: Yes) in Entra ID.",
  },
  700025: {
    meaning: 'the client is public: it has no credentials to present',
    fix: 'Use a confidential app registration with a client secret or certificate.',
  },
};

/** The AADSTS code in an error description ("AADSTS7000215: Invalid client secret …"). */
export function aadstsCodeIn(text: string | undefined): number | undefined {
  const m = /AADSTS(\d{5,8})/.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/** What an OAuth `error` field means (RFC 6749 §5.2), for codes the table does not know. */
const OAUTH_ERRORS: Record<string, AadstsExplanation> = {
  invalid_client: { meaning: 'the client credentials were refused', fix: 'Check oauth2.clientId and the client secret or certificate against the app registration.' },
  unauthorized_client: { meaning: 'the app may not use the client-credentials grant', fix: 'Check the app registration: it must be a confidential client (Web), with a secret or certificate.' },
  invalid_request: { meaning: 'the token request was malformed or is missing something', fix: 'Check oauth2.tenantId, oauth2.clientId and oauth2.scope.' },
  invalid_scope: { meaning: 'the scope was refused', fix: 'Use the resource\'s .default scope (https://outlook.office365.com/.default) for client credentials.' },
  invalid_grant: { meaning: 'the grant was refused', fix: 'Check the credentials and the app registration.' },
  unsupported_grant_type: { meaning: 'the token endpoint does not support client credentials', fix: 'Check oauth2.authority: it must be a Microsoft Entra ID (or compatible) authority.' },
  temporarily_unavailable: { meaning: 'Entra ID is temporarily unavailable', fix: 'Run again later.' },
};

/** Meaning and fix of a token endpoint error: by AADSTS code, else by the OAuth `error`. */
export function explainTokenError(code: number | undefined, error: string | undefined): AadstsExplanation | undefined {
  if (code !== undefined && AADSTS[code]) return AADSTS[code];
  if (error && OAUTH_ERRORS[error]) return OAUTH_ERRORS[error];
  return undefined;
}
