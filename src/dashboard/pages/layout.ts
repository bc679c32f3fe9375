/**
 * The page frame: navigation, the stylesheet and the one script bundle, both served from the
 * package (no CDN). Every interpolation goes through `hono/html`, which escapes it, so payload
 * text is rendered as text. No inline script or style: the CSP forbids both.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { DashboardRole } from '../auth.js';

/** What every page knows about the request. */
export interface PageContext {
  readonly role: DashboardRole;
  readonly csrf: string;
  /** Asset URLs (hashed names from the build manifest). */
  readonly script: string;
  readonly style: string;
}

/** A rendered fragment. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV: readonly [string, string][] = [
  ['/', 'Overview'],
  ['/runs', 'Runs'],
  ['/waiting', 'Waiting'],
  ['/breakers', 'Breakers'],
  ['/events', 'Events'],
];

/** The full page. */
export function page(ctx: PageContext, title: string, active: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="baton-csrf" content="${ctx.csrf}">
<meta name="baton-role" content="${ctx.role}">
<title>${title} · Baton</title>
<link rel="stylesheet" href="${ctx.style}">
<script type="module" src="${ctx.script}"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">Baton</a>
  <nav>${NAV.map(([href, label]) => html`<a href="${href}" class="${href === active ? 'on' : ''}">${label}</a>`)}</nav>
  <span class="role" data-testid="role">${ctx.role}</span>
</header>
<main>${body}</main>
</body>
</html>`;
}

/** A status badge. */
export function badge(status: string): HtmlEscapedString {
  return html`<span class="badge st-${status}" data-status="${status}">${status}</span>` as HtmlEscapedString;
}

/** A time as ISO text (UTC), or a dash. */
export function time(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '–';
}

/** A duration in ms as text. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** JSON for a data attribute (escaped by the template like any other value). */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** A preformatted JSON value, escaped. */
export function pre(value: unknown): HtmlEscapedString {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>` as HtmlEscapedString;
}

/** The page shown without a valid token. */
export function unauthorizedPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Baton</title></head>
<body><main><h1>Baton dashboard</h1><p>This dashboard needs a token. Open the link that
<code>baton dashboard</code> printed, or mint one with <code>baton dashboard token --role viewer</code>
and open <code>/?token=…</code>.</p></main></body></html>`;
}

export { raw };
