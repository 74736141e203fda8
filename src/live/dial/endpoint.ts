/** A URL the dialers cannot use; a usage error, never a network outcome. */
export class DialTargetError extends Error {
  override readonly name = 'DialTargetError';
}

/** The schemes dial understands, with the port each implies when the URL names none. */
const DEFAULT_PORT_BY_SCHEME = { tcp: undefined, nats: 4222, http: 80, https: 443 } as const;
export type Scheme = keyof typeof DEFAULT_PORT_BY_SCHEME;

/** The TCP endpoint a URL points at. Throws DialTargetError when it names none. */
export function endpointOf(url: string): { scheme: Scheme; host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DialTargetError(
      `${url}: not a URL; use tcp://host:port, nats://host:port or http(s)://host:port`,
    );
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!isScheme(scheme)) {
    throw new DialTargetError(`${url}: unsupported scheme ${scheme}:// (use tcp, nats, http or https)`);
  }
  // URL keeps the brackets of an IPv6 literal; sockets and DNS want the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new DialTargetError(`${url}: no host`);
  const port = parsed.port === '' ? DEFAULT_PORT_BY_SCHEME[scheme] : Number(parsed.port);
  if (port === undefined) throw new DialTargetError(`${url}: needs a port`);
  if (port === 0) throw new DialTargetError(`${url}: port 0 cannot be dialed`);
  return { scheme, host, port };
}

function isScheme(scheme: string): scheme is Scheme {
  return Object.hasOwn(DEFAULT_PORT_BY_SCHEME, scheme);
}
