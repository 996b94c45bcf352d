import { describe, expect, it } from 'vitest';
import { parseCommandLine, parsePowerShell, PsParseError } from '../../src/powershell/parse.js';

describe('reading splatted commands', () => {
  it('reads the seed\'s New-InboundConnector splat', () => {
    const script = [
      '$splat = @{',
      "Name = 'SMTP Relay Office 365 (TLS)'",
      "ConnectorType = 'OnPremises'",
      "SenderDomains = '*'",
      'RequireTLS = $true',
      "TlsSenderCertificateName = '*.your-domain.com'",
      '}',
      'New-InboundConnector @splat',
    ].join('\r\n');
    expect(parsePowerShell(script)).toEqual([
      {
        cmdlet: 'New-InboundConnector',
        params: { Name: 'SMTP Relay Office 365 (TLS)', ConnectorType: 'OnPremises', SenderDomains: '*', RequireTLS: true, TlsSenderCertificateName: '*.your-domain.com' },
        forms: {},
        splat: 'splat',
        line: 8,
      },
    ]);
  });

  it('reads lists, $false, $null, numbers, comments and ; separators', () => {
    const [cmd] = parsePowerShell("# a comment\n$s = @{ SmartHosts = @('a', 'b'); UseMXRecord = $false; Comment = $null; Port = 25 } # trailing\nNew-OutboundConnector @s");
    expect(cmd.params).toEqual({ SmartHosts: ['a', 'b'], UseMXRecord: false, Comment: null, Port: 25 });
  });

  it('uses the splat assigned last before each command', () => {
    const cmds = parsePowerShell("$splat = @{ Name = 'A' }\nNew-InboundConnector @splat\n$splat = @{ Name = 'B' }\nNew-OutboundConnector @splat");
    expect(cmds.map((c) => [c.cmdlet, c.params.Name])).toEqual([
      ['New-InboundConnector', 'A'],
      ['New-OutboundConnector', 'B'],
    ]);
  });
});

describe('reading one-line commands', () => {
  it('reads quoted, bare, boolean, switch and colon parameters, and remembers how each was written', () => {
    const cmd = parseCommandLine("Set-OutboundConnector -Identity 'O''Brien' -TlsSettings DomainValidation -TlsDomain 'mail.contoso.com' -Force -Confirm:$false");
    expect(cmd.params).toEqual({ Identity: "O'Brien", TlsSettings: 'DomainValidation', TlsDomain: 'mail.contoso.com', Force: true, Confirm: false });
    expect(cmd.forms).toEqual({ Identity: {}, TlsSettings: { bare: true }, TlsDomain: {}, Force: { switch: true }, Confirm: { colon: true } });
  });

  it.each([
    ['a second command after ;', "Set-InboundConnector -Identity 'a' -RequireTls $true; Remove-Mailbox -Identity x"],
    ['a pipeline', "Get-InboundConnector | Remove-InboundConnector"],
    ['a variable', 'Set-InboundConnector -Identity $name'],
    ['a subexpression', 'Set-InboundConnector -Identity $(Get-Date)'],
    ['a double-quoted string', 'Set-InboundConnector -Identity "x$(whoami)"'],
    ['a backtick continuation', "Set-InboundConnector -Identity 'a' `\n -RequireTls $true"],
    ['an unterminated string', "Set-InboundConnector -Identity 'a"],
    ['a script block', "Set-InboundConnector -Identity { 'a' }"],
    ['something that is no cmdlet', "& 'C:\\evil.exe'"],
    ['a parameter given twice', "Set-InboundConnector -Identity 'a' -Identity 'b'"],
  ])('rejects %s', (_what, line) => {
    expect(() => parseCommandLine(line)).toThrow(PsParseError);
  });
});
