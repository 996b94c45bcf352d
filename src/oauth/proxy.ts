// HTTPS_PROXY for the token requests: which proxy (HTTPS_PROXY / https_proxy, minus NO_PROXY), and
// a CONNECT tunnel through it (RFC 9110 §9.3.6) over which TLS to the authority runs end to end.
import http from 'node:http';
import type { Socket } from 'node:net';

export interface ProxySettings {
  url: URL;
}

/** The proxy for `host`, from the environment; undefined for a direct connection. */
export function proxyFor(host: string, env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const raw = env.HTTPS_PROXY ?? env.https_proxy;
  if (!raw) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const h = host.toLowerCase();
  if (noProxy.some((n) => n === '*' || h === n.replace(/^\./, '') || h.endsWith(n.startsWith('.') ? n : `.${n}`))) return undefined;
  try {
    return { url: new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`) };
  } catch {
    return undefined;
  }
}

/** Where the proxy is, for transcripts: never its credentials. */
export function proxyLabel(proxy: ProxySettings): string {
  return `${proxy.url.protocol}//${proxy.url.host}`;
}

/** Opens a CONNECT tunnel to target through the proxy; rejects with the proxy's status when refused. */
export function connectTunnel(proxy: ProxySettings, target: string, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: target };
    if (proxy.url.username) {
      const user = decodeURIComponent(proxy.url.username);
      const pass = decodeURIComponent(proxy.url.password);
      headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const req = http.request({ host: proxy.url.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.url.port || 80), method: 'CONNECT', path: target, headers, signal });
    const timer = setTimeout(() => req.destroy(new Error(`the proxy ${proxyLabel(proxy)} did not open a tunnel within ${timeoutMs} ms`)), timeoutMs);
    req.once('connect', (res, socket) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`the proxy ${proxyLabel(proxy)} refused CONNECT ${target}: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      resolve(socket);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`the proxy ${proxyLabel(proxy)}: ${err.message}`));
    });
    req.end();
  });
}
