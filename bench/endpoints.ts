// Endpoint throughput: N loopback STARTTLS servers (N = 1, 50, 200) checked by relaycheck's real
// runner (`--only smtp,tls`, one from-office365 connector with N smart hosts), next to the same
// work done by `posttls-finger` in a sequential shell loop and to bare `node -e 0`; plus a
// black-holed endpoint (accepts, never speaks) among 50, which must cost one timeout, not a sum.
//
//   node dist/bench/endpoints.js [--sizes 1,50,200] [--runs 3] [--quick]
//
// The servers run in a child process (`--serve`), and each relaycheck measurement in a fresh child
// (`--client`) so that its peak RSS (process.resourceUsage().maxRSS) is its own. Wall times are
// medians of `--runs` runs. Numbers are printed, never asserted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const BLACKHOLE_TIMEOUT_MS = 2000;

// ─── server child ─────────────────────────────────────────────────────────────────────────────

/** A minimal STARTTLS SMTP server: 220, EHLO (STARTTLS before TLS), STARTTLS, QUIT; 250 to the rest. */
function smtpHandler(context: tls.SecureContext) {
  return (raw: net.Socket) => {
    raw.on('error', () => {});
    let socket: net.Socket = raw;
    let secure = false;
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.length > 4096) return socket.destroy();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '').toUpperCase();
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('EHLO')) socket.write(`250-bench.test\r\n250-PIPELINING\r\n${secure ? '' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`);
        else if (line === 'STARTTLS' && !secure) {
          raw.removeListener('data', onData);
          buffer = '';
          raw.write('220 2.0.0 Ready to start TLS\r\n');
          const t = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
          t.on('error', () => raw.destroy());
          t.on('data', onData);
          socket = t;
          secure = true;
          return;
        } else if (line === 'QUIT') {
          socket.end('221 2.0.0 Bye\r\n');
          return;
        } else socket.write('250 2.0.0 Ok\r\n');
      }
    };
    raw.on('data', onData);
    raw.write('220 bench.test ESMTP relaycheck-bench\r\n');
  };
}

async function listen(handler: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function serve(count: number, blackholes: number): Promise<void> {
  const { selfSigned } = await import('../src/pki/generate.js');
  const cert = await selfSigned({ cn: 'mail.bench.test', dnsNames: ['mail.bench.test'] });
  const context = tls.createSecureContext({ key: cert.keyPem, cert: cert.certPem });
  const handler = smtpHandler(context);
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await listen(handler));
  const holes: number[] = [];
  for (let i = 0; i < blackholes; i++) holes.push(await listen((s) => s.on('error', () => {})));
  process.stdout.write(`${JSON.stringify({ ports, blackholes: holes })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

interface Servers {
  ports: number[];
  blackholes: number[];
  stop(): void;
}

function startServers(count: number, blackholes = 0): Promise<Servers> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [SELF, '--serve', String(count), String(blackholes)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      const data = JSON.parse(line) as { ports: number[]; blackholes: number[] };
      resolve({ ...data, stop: () => child.stdin!.end() });
    });
    child.once('exit', (code) => reject(new Error(`server child exited (${code})`)));
  });
}

// ─── client child: the real runner ───────────────────────────────────────────────────────────

async function client(planFile: string, greetingMs: number): Promise<void> {
  const [{ loadPlan }, { builtinChecks, builtinProbes }, { runPlan, DEFAULT_TIMEOUTS, DEFAULT_CONCURRENCY }] = await Promise.all([
    import('../src/plan/load.js'),
    import('../src/registry.js'),
    import('../src/runner/run.js'),
  ]);
  const plan = loadPlan(planFile);
  const t0 = performance.now();
  const report = await runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, {
    send: false,
    only: ['smtp', 'tls'],
    concurrency: DEFAULT_CONCURRENCY,
    timeouts: { ...DEFAULT_TIMEOUTS, greetingMs },
  });
  const runMs = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ runMs, maxRssKB: process.resourceUsage().maxRSS, summary: report.summary, results: report.results.length })}\n`);
}

function writePlan(dir: string, name: string, ports: number[]): string {
  const file = join(dir, `${name}.yaml`);
  const hosts = ports.map((p) => `"127.0.0.1:${p}"`).join(', ');
  writeFileSync(file, `version: 1\ndomain: bench.test\ndns: { servers: [127.0.0.9] }\nconnectors:\n  - name: Bench smart hosts\n    direction: from-office365\n    smartHosts: [${hosts}]\n    tls: { mode: any }\n`);
  return file;
}

interface Sample {
  wallMs: number;
  runMs?: number;
  rssMB?: number;
}

/** Spawns `node args…`, returns wall time, and the JSON line the child printed (if any). */
function timed(args: string[]): Promise<Sample & { out?: { runMs: number; maxRssKB: number; summary: Record<string, number> } }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const line = out.trim().split('\n').filter(Boolean).pop();
      if (args.includes('--client')) {
        if (code !== 0 || !line) return reject(new Error(`client failed (${code}): ${err.slice(0, 500)}`));
        const parsed = JSON.parse(line) as { runMs: number; maxRssKB: number; summary: Record<string, number> };
        return resolve({ wallMs, runMs: parsed.runMs, rssMB: parsed.maxRssKB / 1024, out: parsed });
      }
      resolve({ wallMs });
    });
  });
}

/** `sh -c script` under GNU time when present: wall ms and the largest RSS of the process tree. */
function shell(script: string): Sample {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = gnuTime ? spawnSync('/usr/bin/time', ['-f', 'RSSKB=%M', 'sh', '-c', script], { encoding: 'utf8' }) : spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const m = /RSSKB=(\d+)/.exec(r.stderr ?? '');
  return { wallMs, ...(m ? { rssMB: Number(m[1]) / 1024 } : {}) };
}

function median(samples: Sample[]): Sample {
  const pick = (key: keyof Sample) => {
    const xs = samples.map((s) => s[key]).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    return xs.length ? xs[Math.floor(xs.length / 2)] : undefined;
  };
  return { wallMs: pick('wallMs')!, runMs: pick('runMs'), rssMB: pick('rssMB') };
}

async function repeat(runs: number, f: () => Promise<Sample> | Sample): Promise<Sample> {
  const out: Sample[] = [];
  for (let i = 0; i < runs; i++) out.push(await f());
  return median(out);
}

function row(cells: (string | number | undefined)[], widths: number[]): string {
  return cells.map((c, i) => String(c ?? '–')[i === 0 ? 'padEnd' : 'padStart'](widths[i])).join('  ');
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined ? '–' : x.toFixed(digits));

export async function main(argv: string[] = []): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const sizes = (arg('--sizes') ?? '1,50,200').split(',').map(Number).filter((n) => n > 0);
  const runs = Number(arg('--runs') ?? (quick ? 1 : 3));
  const hasFinger = spawnSync('sh', ['-c', 'command -v posttls-finger'], { encoding: 'utf8' }).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'relaycheck-bench-endpoints-'));
  const widths = [44, 9, 10, 10, 11];
  const lines: string[] = [];
  const print = (cells: (string | number | undefined)[]) => lines.push(row(cells, widths));

  console.log(`Endpoints benchmark: loopback STARTTLS servers in a child process; medians of ${runs} run(s)`);
  const bare = await repeat(Math.max(runs, 5), () => shell(`${JSON.stringify(process.execPath)} -e 0`));
  print(['what', 'endpoints', 'wall ms', 'run ms', 'peak RSS MB']);
  print(['node -e 0', '–', fmt(bare.wallMs), '–', fmt(bare.rssMB, 1)]);

  const maxN = Math.max(...sizes);
  const servers = await startServers(maxN, 5);
  const summary: Record<string, number> = {};
  try {
    for (const n of sizes) {
      const ports = servers.ports.slice(0, n);
      const plan = writePlan(dir, `n${n}`, ports);
      const rc = await repeat(runs, () => timed([SELF, '--client', plan, String(BLACKHOLE_TIMEOUT_MS)]));
      print([`relaycheck runner (--only smtp,tls)`, n, fmt(rc.wallMs), fmt(rc.runMs), fmt(rc.rssMB, 1)]);
      summary[`relaycheck${n}`] = rc.wallMs;
      summary[`rss${n}`] = rc.rssMB ?? NaN;
      if (n === 1) {
        const cli = await repeat(runs, () => timed([CLI, 'run', '-c', plan, '--only', 'smtp', 'tls', '--no-send', '--format', 'json', '--out', join(dir, 'out')]));
        print(['relaycheck run (CLI, whole process)', n, fmt(cli.wallMs), '–', '–']);
        summary.cli1 = cli.wallMs;
      }
      if (hasFinger) {
        const script = ports.map((p) => `posttls-finger -c -l may "[127.0.0.1]:${p}" >/dev/null 2>&1`).join('\n');
        const pf = await repeat(n >= 200 ? Math.min(runs, 2) : runs, () => shell(script));
        print(['posttls-finger -c -l may, sequential loop', n, fmt(pf.wallMs), '–', fmt(pf.rssMB, 1)]);
        summary[`finger${n}`] = pf.wallMs;
      }
    }

    // Black holes among 50: the run should take about one greeting timeout longer, not k of them.
    const healthy = servers.ports.slice(0, 50);
    for (const k of [0, 1, 5]) {
      const ports = [...healthy.slice(0, 50 - k), ...servers.blackholes.slice(0, k)];
      const plan = writePlan(dir, `bh${k}`, ports);
      const s = await repeat(quick ? 1 : Math.min(runs, 2), () => timed([SELF, '--client', plan, String(BLACKHOLE_TIMEOUT_MS)]));
      print([`50 endpoints, ${k} black-holed (greeting ${BLACKHOLE_TIMEOUT_MS / 1000} s)`, 50, fmt(s.wallMs), fmt(s.runMs), fmt(s.rssMB, 1)]);
      summary[`bh${k}`] = s.runMs ?? s.wallMs;
    }
  } finally {
    servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(lines.join('\n'));
  console.log('');
  if (summary.relaycheck1 !== undefined) console.log(`one endpoint: runner process ${(summary.relaycheck1 / bare.wallMs).toFixed(2)}× bare node start-up${summary.cli1 ? `; CLI ${(summary.cli1 / bare.wallMs).toFixed(2)}×` : ''} (target ≤ 1.6×)`);
  for (const n of sizes.filter((x) => x >= 50)) {
    if (summary[`finger${n}`]) console.log(`${n} endpoints: posttls-finger loop / relaycheck = ${(summary[`finger${n}`] / summary[`relaycheck${n}`]).toFixed(1)}× (target ≥ 5× at 100–200); peak RSS ${fmt(summary[`rss${n}`], 1)} MB (target < 150 at 200)`);
  }
  if (summary.bh0 !== undefined) {
    console.log(`black holes: 1 costs +${fmt(summary.bh1 - summary.bh0)} ms, 5 cost +${fmt(summary.bh5 - summary.bh0)} ms (one greeting timeout = ${BLACKHOLE_TIMEOUT_MS} ms)`);
  }
}

if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--serve') await serve(Number(argv[1]), Number(argv[2] ?? 0));
  else if (argv[0] === '--client') await client(argv[1], Number(argv[2] ?? BLACKHOLE_TIMEOUT_MS));
  else await main(argv);
}
