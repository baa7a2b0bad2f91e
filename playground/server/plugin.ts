/**
 * The playground's API as a Vite plugin: middleware on the dev server, because odeforge's generator needs Node
 * (esbuild, ts-morph, the templates on disk) and so cannot run in the page.
 *
 *   GET  /api/methods   → { methods: [...] }
 *   POST /api/generate  { model, method, sensitivities } → GenerateResponse (see ../api.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { methodNames, type Sensitivity } from '../../src/index.ts';
import type { GenerateRequest, MethodsResponse } from '../api.ts';
import { generateAll, MAX_REQUEST_BYTES } from './generate.ts';

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The request body as text, refused past MAX_REQUEST_BYTES. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new BadRequest(413, `request larger than ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's fields, each checked for its type (their values are generate()'s to check). */
function parseRequest(body: string): GenerateRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadRequest(400, 'the request body is not JSON');
  }
  const { model, method, sensitivities } = (value ?? {}) as Record<string, unknown>;
  if (typeof model !== 'string') throw new BadRequest(400, "'model' must be a string of JSON text");
  if (typeof method !== 'string') throw new BadRequest(400, "'method' must be a string");
  if (!Array.isArray(sensitivities) || !sensitivities.every((s) => typeof s === 'string')) {
    throw new BadRequest(400, "'sensitivities' must be an array of strings");
  }
  return { model, method, sensitivities: sensitivities as Sensitivity[] };
}

async function handleGenerate(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') throw new BadRequest(405, 'POST a JSON request');
  const request = parseRequest(await readBody(req));
  send(res, 200, generateAll(request.model, request.method, request.sensitivities));
}

/** The API middleware; errors become JSON answers (a 500 for a bug, logged on the server's console). */
export function playgroundApi(): Plugin {
  return {
    name: 'odeforge-playground-api',
    configureServer(server) {
      server.middlewares.use('/api/methods', (_req, res) => {
        send(res, 200, { methods: methodNames() } satisfies MethodsResponse);
      });
      server.middlewares.use('/api/generate', (req, res) => {
        handleGenerate(req, res).catch((e: unknown) => {
          if (e instanceof BadRequest) return send(res, e.status, { error: e.message });
          server.config.logger.error(`odeforge playground: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          send(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
        });
      });
    },
  };
}
