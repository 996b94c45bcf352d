import check from '../../../checks/dns/spf.js';
import { testCheck } from '../../helpers/check-tester.js';
import { answer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { NOW, plan, spfData } from './fixtures.js';

const EXO: Zone = {
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 include:spfd.protection.outlook.com -all'] },
  'spfd.protection.outlook.com': { TXT: ['v=spf1 ip4:51.4.72.0/24 -all'] },
};
const zone = (z: Zone) => ({ 'dns-spf': spfData({ ...EXO, ...z }) });
const spf = (...records: string[]) => zone({ 'contoso.com': { TXT: records } });

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [
    {
      name: 'passes one record with the Exchange Online include, the relay address and -all',
      probes: spf('v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all'),
      message: 'one SPF record: includes spf.protection.outlook.com, 2 of 10 DNS lookups, ends in -all; relay 203.0.113.25 passes',
    },
    {
      name: 'finds the include through a nested record',
      probes: zone({ 'contoso.com': { TXT: ['v=spf1 include:_spf.contoso.com ~all'] }, '_spf.contoso.com': { TXT: ['v=spf1 ip4:203.0.113.0/24 include:spf.protection.outlook.com -all'] } }),
      message: /includes spf\.protection\.outlook\.com \(via _spf\.contoso\.com\), 3 of 10 DNS lookups, ends in ~all/,
    },
  ],
  invalid: [
    {
      name: 'fails without the Exchange Online include and shows the record to publish',
      status: 'fail',
      probes: spf('v=spf1 ip4:203.0.113.25 mx -all'),
      message: "has no include:spf.protection.outlook.com: Exchange Online's servers are not authorized to send for the domain",
      remediation: 'Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 mx include:spf.protection.outlook.com -all"',
      exchangeOnline: /fails SPF at receivers/,
    },
    {
      name: 'fails when the relay address is not authorized',
      status: 'fail',
      probes: spf('v=spf1 include:spf.protection.outlook.com ~all'),
      message: 'relay address 203.0.113.25 (senderIPs of the to-office365 connectors) gets SPF softfail from contoso.com: ~all',
    },
    {
      name: 'fails on two SPF records and analyses both',
      status: 'fail',
      probes: spf('v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all', 'v=spf1 ip4:203.0.113.25 +all'),
      message: [/^contoso\.com publishes 2 SPF records: receivers return permerror for all mail/, /record 2 "v=spf1 ip4:203\.0\.113\.25 \+all": has no include/, /ends in \+all/],
      remediation: 'Merge them into one record and delete the others. Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all"',
    },
    {
      name: 'fails beyond 10 lookups counted through nested includes',
      status: 'fail',
      probes: zone({
        'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com include:a.contoso.com include:b.contoso.com -all'] },
        'a.contoso.com': { TXT: ['v=spf1 a mx ptr exists:x.contoso.com -all'] },
        'b.contoso.com': { TXT: ['v=spf1 a:1.contoso.com a:2.contoso.com mx:3.contoso.com -all'] },
      }),
      message: 'needs 11 DNS lookups through nested includes (limit 10, RFC 7208 §4.6.4): receivers return permerror [contoso.com (3), spf.protection.outlook.com (1), a.contoso.com (4), b.contoso.com (3)]',
    },
    {
      name: 'warns on ?all',
      status: 'warn',
      probes: spf('v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com ?all'),
      message: 'ends in ?all (neutral): receivers do not act on mail from unlisted servers',
    },
    { name: 'fails on +all', status: 'fail', probes: spf('v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com +all'), includes: ['+all'] },
    {
      name: 'fails without any SPF record and proposes one',
      status: 'fail',
      probes: spf('google-site-verification=abc'),
      message: 'contoso.com has no SPF record (TXT contoso.com has TXT records but none starts with v=spf1)',
      remediation: 'Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all"',
    },
    {
      name: 'fails when an include points at a domain without SPF',
      status: 'fail',
      probes: spf('v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com include:gone.example -all'),
      message: /include:gone\.example: gone\.example does not exist \(receivers return permerror\)/,
    },
    {
      name: 'cannot decide when the TXT lookup itself fails',
      status: 'error',
      probes: { 'dns-spf': { domain: 'contoso.com', answers: { 'TXT contoso.com': answer('contoso.com', 'TXT', [], 'timeout', { error: 'no answer from 192.0.2.53:53 (2 tries of 3000 ms)' }) }, relayRanges: [], complete: true, transcript: [] } },
      message: 'could not decide: TXT contoso.com could not be resolved: no answer from 192.0.2.53:53 (2 tries of 3000 ms)',
    },
  ],
});
