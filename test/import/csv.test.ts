import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/import/csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const t = parseCsv('\uFEFFSender address,Messages sent\r\n"a@contoso.com","1,234"\r\n"say ""hi""\nthere",5\r\n');
    expect(t.header).toEqual(['Sender address', 'Messages sent']);
    expect(t.rows).toEqual([
      { line: 2, cells: ['a@contoso.com', '1,234'] },
      { line: 3, cells: ['say "hi"\nthere', '5'] },
    ]);
  });

  it('takes the delimiter from the header line, as Excel re-saves CSV with the locale list separator', () => {
    const t = parseCsv('Absenderadresse;Domäne;Gesendete Nachrichten\na@contoso.com;contoso.com;"1.234"\n');
    expect(t.rows[0].cells).toEqual(['a@contoso.com', 'contoso.com', '1.234']);
  });

  it('skips blank lines and keeps a last line without a line break', () => {
    expect(parseCsv('h\n\n x \n\ny').rows.map((r) => r.cells[0])).toEqual([' x ', 'y']);
  });
});
