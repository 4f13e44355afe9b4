/**
 * A web-service supplier's call, for the tools (`send --soap`, `simulate --soap`, the SOAP bench):
 * a DE wrapped in the SOAP 1.1 request the router's gateway expects (fresh MessageID and
 * timestamps), POSTed over HTTPS with a client certificate.
 */
import fs from 'node:fs';
import https from 'node:https';
import { newMessageId, soapRequest } from '../../router/11-web-services/soap-messages.js';

export interface SoapClientFiles {
  /** PEM files: the client certificate and key, and the CA to trust the server by. */
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface SoapAnswer {
  readonly status: number;
  readonly body: string;
}

const SERVICE = /<(?:\w+:)?header\b[^>]*\sservice="([^"]*)"/;

/** The DE's service (the SOAPAction and wsa:Action of its call). */
export const serviceOfDe = (de: string): string => SERVICE.exec(de)?.[1] ?? '';

/** Makes a keep-alive agent presenting `files`; `post` sends one DE with it. */
export function soapClient(url: string, files: SoapClientFiles, maxSockets = 1) {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    cert: fs.readFileSync(files.cert),
    key: fs.readFileSync(files.key),
    ca: fs.readFileSync(files.ca),
  });
  const post = (de: Buffer, username = 'itk-router send'): Promise<SoapAnswer> => {
    const service = serviceOfDe(de.toString('utf8'));
    const body = soapRequest({
      de,
      service,
      url,
      from: url,
      username,
      now: new Date(),
      messageId: newMessageId(),
    });
    return postAndRead(url, body, {
      agent,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: `"${service}"`,
        'Content-Length': body.length,
      },
    });
  };
  return { post, close: () => agent.destroy() };
}

/** POSTs `body` over HTTPS with `options` (agent, TLS, headers) and reads the whole answer. */
export function postAndRead(
  url: string,
  body: string | Buffer,
  options: https.RequestOptions,
): Promise<SoapAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...options, method: 'POST' });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.end(body);
  });
}
