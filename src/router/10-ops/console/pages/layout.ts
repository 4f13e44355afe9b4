/**
 * Every page's frame: a skip link, the navigation (only the pages the role may open), the
 * signed-in user with a sign-out button, the CSRF token in a meta tag for the page's script,
 * and the page's own script (served from /console/assets/, nothing from outside the router).
 */
import type { Principal } from '../auth.js';
import { allows, type Access } from '../roles.js';
import { html, type Html } from './html.js';

export const NAV: readonly {
  readonly path: string;
  readonly label: string;
  readonly access: Access;
}[] = [
  { path: '/console/', label: 'Dashboard', access: 'viewer' },
  { path: '/console/messages', label: 'Messages', access: 'viewer' },
  { path: '/console/quarantine', label: 'Quarantine', access: 'viewer' },
  { path: '/console/overdue', label: 'Overdue acks', access: 'viewer' },
  { path: '/console/careplans', label: 'Care plans', access: 'operator' },
  { path: '/console/routes', label: 'Routes', access: 'viewer' },
  { path: '/console/audit', label: 'Audit log', access: 'admin' },
];

export interface PageFrame {
  readonly title: string;
  readonly principal: Principal | null;
  /** The path of the page, to mark it current in the navigation. */
  readonly current?: string;
  /** Scripts of /console/assets/ this page needs, besides console.js. */
  readonly scripts?: readonly string[];
}

export function page(frame: PageFrame, main: Html): Html {
  const p = frame.principal;
  const nav = p
    ? NAV.filter((n) => allows(p.role, n.access)).map(
        (n) =>
          html`<li>
            <a href="${n.path}" ${n.path === frame.current ? html` aria-current="page"` : ''}
              >${n.label}</a
            >
          </li>`,
      )
    : [];
  const scripts = ['console.js', ...(frame.scripts ?? [])];
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${p?.session?.csrfToken ?? ''}" />
        <title>${frame.title} · itk-router</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${scripts.map((s) => html`<script src="/console/assets/${s}" defer></script> `)}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <span class="brand">itk-router console</span>
          ${
            p
              ? html`<nav aria-label="Console">
                    <ul>
                      ${nav}
                    </ul>
                  </nav>
                  <form class="who" data-action="sign-out">
                    <span>${p.name} (${p.role})</span> <button type="submit">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        <main id="main">
          <h1>${frame.title}</h1>
          ${main}
        </main>
      </body>
    </html> `;
}

/** A table with a caption, head cells and rows of cells (already HTML or text). */
export function table(caption: string, head: readonly string[], rows: readonly Html[]): Html {
  return rows.length === 0
    ? html`<p class="empty">${caption}: none.</p>`
    : html`<table>
        <caption>
          ${caption}
        </caption>
        <thead>
          <tr>
            ${head.map((h) => html`<th scope="col">${h}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`;
}
