import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/powershell/parse.js';
import { psArray, psComment, psQuote } from '../../src/powershell/quote.js';

describe('psQuote', () => {
  it.each([
    ['plain', "'plain'"],
    ["O'Brien relay", "'O''Brien relay'"],
    ['typographic \u2018quotes\u2019 \u201a \u201b', "'typographic \u2018\u2018quotes\u2019\u2019 \u201a\u201a \u201b\u201b'"],
    ['$env:USERNAME `whoami` $(Remove-Item x) "x"', "'$env:USERNAME `whoami` $(Remove-Item x) \"x\"'"],
  ])('quotes %j so that nothing expands', (value, expected) => {
    expect(psQuote(value)).toBe(expected);
  });

  it('encodes a line break as [char] so the value stays on one line', () => {
    expect(psQuote('a\nb')).toBe("('a' + [char]0x0A + 'b')");
    expect(psQuote('\r\nx')).toBe("('' + [char]0x0D + [char]0x0A + 'x')");
    expect(psQuote('a\u2028')).toBe("('a' + [char]0x2028)");
  });

  it.each([
    "x'; Remove-Mailbox -Identity * -Confirm:$false; '",
    'x\u2019; Remove-Mailbox *; \u2018',
    "line one\n}\nRemove-Mailbox *\n#",
    'tab\there\u0000nul\u0085nel',
    '$(Get-Date) `n ${x}',
  ])('reads back as exactly the same value in a command: %j', (value) => {
    const line = `Set-InboundConnector -Identity ${psQuote(value)} -RequireTls $true`;
    expect(line).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
    const cmd = parseCommandLine(line);
    expect(cmd.params).toEqual({ Identity: value, RequireTls: true });
  });

  it('writes one value as a string and several as @(…)', () => {
    expect(psArray(['*'])).toBe("'*'");
    expect(psArray(['a', "b'c"])).toBe("@('a', 'b''c')");
  });
});

describe('psComment', () => {
  it('keeps comment text on one line and bounds it', () => {
    expect(psComment('5.7.64 TenantAttribution\r\nRemove-Mailbox *')).toBe('5.7.64 TenantAttribution Remove-Mailbox *');
    expect(psComment('x'.repeat(500))).toHaveLength(300);
  });
});
