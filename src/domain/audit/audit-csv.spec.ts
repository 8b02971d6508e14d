import { describe, expect, it } from '@jest/globals';
import { makeAuditEntry } from './audit.test-factory.js';
import { AUDIT_CSV_COLUMNS, escapeCsvField, renderAuditCsv } from './audit-csv.js';

const makeEntry = makeAuditEntry;

describe('escapeCsvField', () => {
  it.each([
    ['plain text stays as is', 'minzu.caregiver1', 'minzu.caregiver1'],
    ['Chinese text stays as is', '张三', '张三'],
    ['a comma is quoted (RFC 4180 §2.6)', 'a,b', '"a,b"'],
    ['a quote is doubled inside quotes (RFC 4180 §2.7)', 'say "hi"', '"say ""hi"""'],
    ['a line break is quoted', 'a\r\nb', '"a\r\nb"'],
    ['a formula gets a leading apostrophe', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['a plus, minus, at or tab start is guarded too', '+1', "'+1"],
    ['minus', '-2+3', "'-2+3"],
    ['at', '@SUM(A1)', "'@SUM(A1)"],
    ['tab', '\tx', "'\tx"],
    ['an empty field stays empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(escapeCsvField(input)).toBe(expected);
  });
});

describe('renderAuditCsv', () => {
  it('writes a BOM, the header and one CRLF-terminated record per entry, times in ISO 8601 UTC', () => {
    const csv = renderAuditCsv([makeEntry(), makeEntry({ id: 2, residentId: null, purpose: null, detail: { field: 'heartRate', from: 0 } })]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toEqual([
      AUDIT_CSV_COLUMNS.join(','),
      '1,2026-03-02T00:00:00.000Z,resident.card.read,acc-minzu-caregiver1,minzu.caregiver1,caregiver,res-1,420103,order,ord-1,ord-1,127.0.0.1,',
      '2,2026-03-02T00:00:00.000Z,resident.card.read,acc-minzu-caregiver1,minzu.caregiver1,caregiver,,420103,order,ord-1,,127.0.0.1,"{""field"":""heartRate"",""from"":0}"',
      '',
    ]);
  });

  it('guards a hostile actor name in the file', () => {
    expect(renderAuditCsv([makeEntry({ actorName: '=cmd|calc' })])).toContain(",'=cmd|calc,");
  });
});
