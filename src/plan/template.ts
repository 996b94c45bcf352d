// The commented starting plan `relaycheck init` writes. It must validate as written (tested), so
// its hosts are placeholders under the documentation domain contoso.com.

export const PLAN_TEMPLATE = `# relaycheck test plan — describe your Exchange Online relay set-up once, then:
#   relaycheck run --no-send        # sessions and certificates only, no mail
#   relaycheck run                  # also sends the validation messages
# Editors: point YAML language support at the schema that ships with relaycheck:
# yaml-language-server: $schema=./node_modules/relaycheck/schema/relaycheck.schema.json
version: 1
organization: Contoso
domain: contoso.com              # the domain name certificates are held against
acceptedDomains: [contoso.com]   # the tenant's accepted domains (Get-AcceptedDomain)

trust:
  system: true                   # Node's built-in root store (public CAs)
  # ca: [./pki/internal-root.pem] # extra trust anchors for a private CA (PEM)

# resolve:                       # test a host before DNS points at it (like curl --resolve)
#   mail.contoso.com:25: 192.0.2.10
# dns:
#   servers: [192.0.2.53]        # default: the system resolvers

connectors:
  # Exchange Online INBOUND connector: your mail server -> Office 365 (relay).
  - name: Office 365 SMTP relay TLS
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com   # your tenant MX host (port 25)
    connectorType: OnPremises
    requireTls: true
    tlsSenderCertificateName: "*.contoso.com"   # the name your server's certificate carries
    # senderIPs: [198.51.100.25]                 # or authenticate by static IP (IPv4, /24../32)
    # clientCertificate:                         # the certificate your server presents
    #   cert: ./pki/relay.pem                    # leaf + intermediates
    #   key: { file: ./pki/relay.key }
    senderDomains: ["*"]
    validation:
      from: relay@contoso.com                   # an address in an accepted domain
      to: [postmaster@contoso.com]

  # Exchange Online OUTBOUND connector: Office 365 -> your smart hosts.
  - name: Office 365 SMTP relay TLS 2
    direction: from-office365
    smartHosts: [mail.contoso.com]
    tls:
      mode: domain             # any (EncryptionOnly) | trusted-ca (CertificateValidation) | domain (DomainValidation)
      domain: mail.contoso.com
    validation:
      from: connector-check@contoso.com
      to: [admin@contoso.com]

submission:
  # SMTP AUTH client submission (smtp.office365.com:587, STARTTLS, then AUTH XOAUTH2). Exchange Online
  # turns Basic authentication (passwords) off at the end of December 2026: this account uses OAuth 2.0
  # client credentials of an app registration in Entra ID (README: "Moving a device or app off Basic
  # authentication"). relaycheck obtains a fresh token on every run and never stores it.
  - name: Scanner account
    endpoint: smtp.office365.com:587
    username: scanner@contoso.com
    oauth2:
      tenantId: contoso.onmicrosoft.com             # Directory (tenant) ID: a GUID or the tenant's domain
      clientId: 00000000-0000-0000-0000-000000000000  # Application (client) ID of the app registration
      certificate:                                  # upload pki/relaycheck-app.pem to the app (Certificates & secrets)
        cert: ./pki/relaycheck-app.pem
        key: { file: ./secrets/relaycheck-app.key } # never write secrets here: { env: NAME } or { file: path }
      # clientSecret: { env: SCANNER_APP_SECRET, expires: 2027-06-30 }   # a client secret instead of the certificate
    # password: { env: SCANNER_PASSWORD }           # Basic authentication (AUTH LOGIN) instead of oauth2
    from: scanner@contoso.com                # must be the account itself, or listed in sendAs
    sendAs: []
    validation:
      to: [it@contoso.com]
      # imap: { host: outlook.office365.com, username: it@contoso.com }   # confirm delivery, with the same app (IMAP.AccessAsApp)

# Direct Send: a device that sends to the tenant MX on port 25 without AUTH (internal recipients only).
# directSend:
#   - name: Printer (Direct Send)
#     endpoint: contoso-com.mail.protection.outlook.com
#     rejectDirectSend: false     # Get-OrganizationConfig | Format-List RejectDirectSend
#     validation: { from: printer@contoso.com, to: [it@contoso.com] }

# limits:                      # without it Microsoft's per-mailbox figures apply to SMTP AUTH submission:
#   recipientsPerDay: 10000    # recipients in a sliding 24 hours (Exchange Online counts recipients)
#   messagesPerMinute: 30
#   recipientsPerMessage: 500
#   messagesPerDay: 1500       # optional: your own budget in messages per account (the seed's figure)
# tenant:
#   licenses: 250              # gives the tenant external recipient limit (TERRL) connector relay is held to
# stateDir: /var/lib/relaycheck   # where the per-user send log lives (default $STATE_DIRECTORY, $XDG_STATE_HOME/relaycheck, ~/.local/state/relaycheck)

# certificates:
#   expiryWarnDays: 30
`;
