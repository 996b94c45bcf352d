// Endpoint throughput: N loopback STARTTLS servers (N = 1, 50, 100, 200) checked by the
// `relaycheck` executable as a user runs it (`run --only smtp,tls --no-send --format json`, one
// from-office365 connector with N smart hosts; reports and history written), next to the same
// work done by `posttls-finger` in a sequential shell loop and to bare `node -e 0`; plus
// black-holed endpoints (accept, never speak) among 50, which must cost one timeout, not a sum.
//
//   node dist/bench/endpoints.js [--sizes 1,50,100,200] [--runs 11] [--quick]
//
// The servers run in a child process (`--serve`). Wall times are medians, spawned directly (no
// shell in between, for bare Node as for relaycheck); peak RSS is measured in separate runs
// under GNU time. Numbers are printed, never asserted.
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
/** The `relaycheck` executable (package.json bin). */
const CLI = fileURLToPath(new URL('../src/bin.cjs', import.meta.url));
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

// ─── measurements ────────────────────────────────────────────────────────────────────────────

function writePlan(dir: string, name: string, ports: number[]): string {
  const file = join(dir, `${name}.yaml`);
  const hosts = ports.map((p) => `"127.0.0.1:${p}"`).join(', ');
  writeFileSync(file, `version: 1\ndomain: bench.test\ndns: { servers: [127.0.0.9] }\nconnectors:\n  - name: Bench smart hosts\n    direction: from-office365\n    smartHosts: [${hosts}]\n    tls: { mode: any }\n`);
  return file;
}

interface Sample {
  wallMs: number;
  rssMB?: number;
}

/** Spawns `node args…` as a user's shell would and returns the wall time to its exit. */
function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      // 0 all passed, 1 findings (the black-hole runs): anything else is a broken benchmark.
      if (code !== 0 && code !== 1) return reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
      resolve({ wallMs });
    });
  });
}

/** Peak RSS of one run under GNU time (measured apart: the wrapper would add to the wall time). */
function peakRss(args: string[], env: NodeJS.ProcessEnv): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', 'RSSKB=%M', process.execPath, ...args], { encoding: 'utf8', env });
  const m = /RSSKB=(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) / 1024 : undefined;
}

/** `sh -c script` (the posttls-finger loop) under GNU time when present: wall ms and the largest RSS. */
function shell(script: string): Sample {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = gnuTime ? spawnSync('/usr/bin/time', ['-f', 'RSSKB=%M', 'sh', '-c', script], { encoding: 'utf8' }) : spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const m = /RSSKB=(\d+)/.exec(r.stderr ?? '');
  return { wallMs, ...(m ? { rssMB: Number(m[1]) / 1024 } : {}) };
}

/** Median time to render the console for a run's saved JSON report (the -latest copy in `out`). */
async function consoleRenderMs(out: string): Promise<number> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const file = readdirSync(out).find((f) => f.endsWith('-latest.json'));
  if (!file) return NaN;
  const report = JSON.parse(readFileSync(join(out, file), 'utf8'));
  const { renderConsole } = await import('../src/report/console.js');
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    renderConsole(report, { color: false, width: 100 });
    times.push(performance.now() - t);
  }
  return median(times);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function row(cells: (string | number | undefined)[], widths: number[]): string {
  return cells.map((c, i) => String(c ?? '–')[i === 0 ? 'padEnd' : 'padStart'](widths[i])).join('  ');
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

export async function main(argv: string[] = []): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const sizes = (arg('--sizes') ?? '1,50,100,200').split(',').map(Number).filter((n) => n > 0);
  const runs = Number(arg('--runs') ?? (quick ? 3 : 11));
  const hasFinger = spawnSync('sh', ['-c', 'command -v posttls-finger'], { encoding: 'utf8' }).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'relaycheck-bench-endpoints-'));
  // Node's compile cache (Node ≥ 22.1; src/bin.cts turns it on) in a folder of the benchmark's own:
  // the first run of `run` writes it ("cold"), every later one uses it, as a nightly job does from
  // its second night. Node 20 has none: there the first run is like every other.
  const env = { ...process.env, RELAYCHECK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
  const widths = [50, 9, 9, 11];
  const lines: string[] = [];
  const print = (cells: (string | number | undefined)[]) => lines.push(row(cells, widths));
  const cliArgs = (plan: string, out: string, extra: string[] = [], format = 'json') => [CLI, 'run', '-c', plan, '--only', 'smtp,tls', '--no-send', '--format', format, '--out', join(dir, out), ...extra];

  console.log(`Endpoints benchmark: \`relaycheck run --only smtp,tls\` against loopback STARTTLS servers in a child process; medians of ${runs} runs`);
  const maxN = Math.max(...sizes);
  const servers = await startServers(Math.max(maxN, 50), 5); // 50 for the black-hole rows
  const summary: Record<string, number> = {};
  print(['what', 'endpoints', 'wall ms', 'peak RSS MB']);
  try {
    for (const n of sizes) {
      const ports = servers.ports.slice(0, n);
      const plan = writePlan(dir, `n${n}`, ports);
      const args = cliArgs(plan, `out${n}`);
      if (n === sizes[0]) {
        const cold = await timed(args, env); // writes the compile cache
        print(['relaycheck run, first run (writes the compile cache)', n, fmt(cold.wallMs), '–']);
      }
      // Bare Node and relaycheck alternate, so that both see the same machine load.
      const bare: number[] = [];
      const rc: number[] = [];
      // The default formats (console on stdout, piped: 100 columns, and json) beside json alone.
      const withConsole: number[] = [];
      const defaultArgs = cliArgs(plan, `out${n}`, [], 'console,json');
      const reps = n >= 100 ? Math.max(3, Math.ceil(runs / 2)) : runs;
      for (let i = 0; i < reps; i++) {
        if (n === 1) bare.push((await timed(['-e', '0'], env)).wallMs);
        rc.push((await timed(args, env)).wallMs);
        withConsole.push((await timed(defaultArgs, env)).wallMs);
      }
      summary[`default${n}`] = median(withConsole);
      if (n === 1) {
        summary.bare = median(bare);
        print(['node -e 0', '–', fmt(summary.bare), fmt(peakRss(['-e', '0'], env), 1)]);
        if (process.env.NODE_EXTRA_CA_CERTS) {
          // Node reads this CA file at every start: "bare Node" then includes that work (about 40
          // ms on the 2-core VM of the closing notes), and relaycheck pays it too.
          const without: NodeJS.ProcessEnv = { ...env };
          delete without.NODE_EXTRA_CA_CERTS;
          const plain: number[] = [];
          for (let i = 0; i < Math.min(reps, 7); i++) plain.push((await timed(['-e', '0'], without)).wallMs);
          summary.bareWithoutExtraCa = median(plain);
          print(['node -e 0 without NODE_EXTRA_CA_CERTS', '–', fmt(summary.bareWithoutExtraCa), '–']);
        }
      }
      summary[`relaycheck${n}`] = median(rc);
      summary[`rss${n}`] = peakRss(args, env) ?? NaN;
      print(['relaycheck run --format json', n, fmt(summary[`relaycheck${n}`]), fmt(summary[`rss${n}`], 1)]);
      print(['relaycheck run (default formats: console,json)', n, fmt(summary[`default${n}`]), '–']);
      summary[`render${n}`] = await consoleRenderMs(join(dir, `out${n}`));
      print(['  console rendering alone (in process)', n, fmt(summary[`render${n}`], 1), '–']);
      if (hasFinger) {
        const script = ports.map((p) => `posttls-finger -c -l may "[127.0.0.1]:${p}" >/dev/null 2>&1`).join('\n');
        const pf: Sample[] = [];
        for (let i = 0; i < (n >= 100 ? 3 : Math.min(runs, 5)); i++) pf.push(shell(script));
        summary[`finger${n}`] = median(pf.map((s) => s.wallMs));
        print(['posttls-finger -c -l may, sequential loop', n, fmt(summary[`finger${n}`]), fmt(median(pf.map((s) => s.rssMB ?? NaN)), 1)]);
      }
    }

    // Black holes among 50: the run should take about one greeting timeout longer, not k of them.
    const healthy = servers.ports.slice(0, 50);
    for (const k of [0, 1, 5]) {
      const ports = [...healthy.slice(0, 50 - k), ...servers.blackholes.slice(0, k)];
      const plan = writePlan(dir, `bh${k}`, ports);
      const s: number[] = [];
      for (let i = 0; i < (quick ? 1 : 2); i++) s.push((await timed(cliArgs(plan, `bh${k}`, ['--timeout', String(BLACKHOLE_TIMEOUT_MS)]), env)).wallMs);
      summary[`bh${k}`] = median(s);
      print([`50 endpoints, ${k} black-holed (--timeout ${BLACKHOLE_TIMEOUT_MS})`, 50, fmt(summary[`bh${k}`]), '–']);
    }
  } finally {
    servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(lines.join('\n'));
  console.log('');
  if (summary.relaycheck1 !== undefined) {
    console.log(`one endpoint: relaycheck run ${(summary.relaycheck1 / summary.bare).toFixed(2)}× bare node start-up (target ≤ 1.6×), ${fmt(summary.relaycheck1 - summary.bare)} ms more`);
    if (summary.bareWithoutExtraCa !== undefined) console.log(`  NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS} is set: every Node start reads it (bare node -e 0 takes ${fmt(summary.bareWithoutExtraCa)} ms without it)`);
  }
  for (const n of sizes) {
    if (summary[`default${n}`] === undefined) continue;
    console.log(`${n} endpoint${n === 1 ? '' : 's'}: default formats ${fmt(summary[`default${n}`])} ms vs --format json ${fmt(summary[`relaycheck${n}`])} ms = ${(summary[`default${n}`] / summary[`relaycheck${n}`]).toFixed(2)}× (+${fmt(summary[`default${n}`] - summary[`relaycheck${n}`])} ms; targets: ≤ 1.3× at 100, ≤ +20 ms at 1); console rendering ${fmt(summary[`render${n}`], 1)} ms (target ≤ 50 at 100)`);
  }
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
  else await main(argv);
}
