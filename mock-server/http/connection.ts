// What a request's connection says about the caller: whether it came over TLS (the real server only
// trusts credentials there) and which client certificate, if any, it presented.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export function isTls(request: IncomingMessage): boolean {
  return (request.socket as Partial<TLSSocket>).encrypted === true;
}

export function peerCertificate(request: IncomingMessage): PeerCertificate | undefined {
  if (!isTls(request)) return undefined;
  const cert = (request.socket as TLSSocket).getPeerCertificate?.();
  return cert?.raw ? cert : undefined;
}
