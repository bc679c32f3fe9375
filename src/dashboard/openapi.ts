/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its Zod schemas (the
 * same ones that validate requests).
 */
import { z } from 'zod';
import { API_ROUTES } from './api.js';
import { ErrorBody, StreamQuery } from './api-schemas.js';
import { weakestRole } from './privileges.js';

type Json = Record<string, unknown>;

function schemaOf(t: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(t, { io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(obj: z.ZodObject | undefined, where: 'path' | 'query'): Json[] {
  if (!obj) return [];
  const s = schemaOf(obj, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema,
  }));
}

const errors = {
  '400': 'Bad input (INVALID_ARGUMENT, CONTRACT_VIOLATION)',
  '401': 'No valid token or session (ACCESS_DENIED)',
  '403': 'The role may not do this, or CSRF failed (ACCESS_DENIED)',
  '404': 'No such run, version or event (NOT_FOUND)',
};

/** The document. */
export function openApiDocument(version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const errorContent = { 'application/json': { schema: schemaOf(ErrorBody, 'output') } };
  for (const r of API_ROUTES) {
    const op: Json = {
      summary: r.summary,
      'x-baton-privilege': r.privilege,
      'x-baton-role': weakestRole(r.privilege),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses: {
        '200': {
          description: 'OK',
          content: { 'application/json': { schema: schemaOf(r.response, 'output') } },
        },
        ...Object.fromEntries(
          Object.entries(errors).map(([code, description]) => [
            code,
            { description, content: errorContent },
          ]),
        ),
      },
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(r.body, 'input') } },
      };
    }
    const entry = paths[r.path] ?? {};
    entry[r.method] = op;
    paths[r.path] = entry;
  }
  paths['/stream'] = {
    get: {
      summary:
        'Server-Sent Events of run events; each event id is a watch cursor, so Last-Event-ID resumes without a gap',
      'x-baton-role': 'viewer',
      parameters: parameters(StreamQuery, 'query'),
      responses: { '200': { description: 'text/event-stream of `run` events' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Baton dashboard API', version },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'baton_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
