/** The message search, a message's story as a timeline, and its body (operators). */
import type { MessageState } from '../../../08-store/states.js';
import { MESSAGE_STATES } from '../../../08-store/states.js';
import type { SearchQuery } from '../api-messages.js';
import type { storyJson } from '../api-messages.js';
import type { Principal } from '../auth.js';
import { allows } from '../roles.js';
import { html, when, type Html } from './html.js';
import { table } from './layout.js';

type Story = ReturnType<typeof storyJson>;
type History = Story['messages'][number];
interface SearchAnswer {
  messages: {
    trackingId: string;
    sender: string | null;
    recipients: string[];
    service: string;
    state: string;
    received: string;
    lastChange: string;
  }[];
  next: string | null;
}

/** A label and its control, kept together in one cell of the filters' grid. */
const field = (name: keyof SearchQuery, label: string, value: string | undefined, hint = '') =>
  html`<div class="field">
    <label for="f-${name}">${label}</label
    ><input
      id="f-${name}"
      name="${name}"
      value="${value ?? ''}"
      ${hint ? html` placeholder="${hint}"` : ''}
    />
  </div>`;

export function searchForm(q: Partial<SearchQuery>): Html {
  return html`<form class="filters" method="get" action="/console/messages" role="search">
    ${field('trackingId', 'Tracking id', q.trackingId)}
    ${field('sender', 'Sender end point', q.sender)}
    ${field('recipient', 'Recipient end point', q.recipient)}
    <div class="field">
      <label for="f-state">State</label
      ><select id="f-state" name="state">
        <option value="">any</option>
        ${MESSAGE_STATES.map(
          (s: MessageState) => html`<option${s === q.state ? html` selected` : ''}>${s}</option>`,
        )}
      </select>
    </div>
    ${field('service', 'Service', q.service)}
    ${field('since', 'Received since', q.since, '2026-12-08T09:00:00Z')}
    ${field('until', 'Received before', q.until, '2026-12-08T10:00:00Z')}
    <button type="submit">Search</button>
  </form>`;
}

export function searchResults(a: SearchAnswer, q: Partial<SearchQuery>): Html {
  const rows = a.messages.map(
    (m) =>
      html`<tr>
        <td><a href="/console/messages/${encodeURIComponent(m.trackingId)}">${m.trackingId}</a></td>
        <td>${m.sender ?? '(unknown)'}</td>
        <td>${m.recipients.join(', ')}</td>
        <td class="svc">${m.service}</td>
        <td><span class="state state-${m.state}">${m.state}</span></td>
        <td>${when(m.received)}</td>
        <td>${when(m.lastChange)}</td>
      </tr>`,
  );
  const params = new URLSearchParams(
    Object.entries(q).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '' && e[0] !== 'cursor',
    ),
  );
  if (a.next) params.set('cursor', a.next);
  return html`${table('Messages, newest first', ['Tracking id', 'Sender', 'Recipients', 'Service', 'State', 'Received', 'Last change'], rows)}
  ${a.next ? html`<p><a href="/console/messages?${params.toString()}" rel="next">Older messages</a></p>` : ''}`;
}

function timeline(h: History): Html {
  return html`<ol class="timeline">
    ${h.events.map(
      (e) =>
        html`<li class="event state-${e.state}">
          <time datetime="${e.at}">${when(e.at)}</time>
          <strong>${e.state}</strong
          >${e.endpoint ? html` <span class="who">${e.endpoint}</span>` : ''}${e.code ? html` <code>${e.code}</code>` : ''}${e.ack ? html` <span class="ack">ack ${e.ack}</span>` : ''}${e.detail ? html`<div class="detail">${e.detail}</div>` : ''}
        </li>`,
    )}${h.responses.map(
      (r) =>
        html`<li class="event router">
          <strong>router sent ${r.kind}</strong> ${r.trackingId} to <span class="who">${r.to}</span>
        </li>`,
    )}
  </ol>`;
}

function history(h: History, p: Principal, heading: string): Html {
  const body = `/console/messages/${encodeURIComponent(h.trackingId)}/body${h.sender ? `?sender=${encodeURIComponent(h.sender)}` : ''}`;
  return html`<section class="history" aria-label="${heading}">
    <h2>${heading}: ${h.trackingId}</h2>
    <dl class="facts">
      <dt>From</dt>
      <dd>
        ${h.sender ?? `(unknown sender, broker user ${h.brokerUser ?? 'none'})`}${h.senderAddress ? ` (${h.senderAddress})` : ''}
      </dd>
      <dt>Service</dt>
      <dd>${h.service}</dd>
      ${
        h.interaction
          ? html`<dt>Interaction</dt>
              <dd>${h.interaction}</dd>`
          : ''
      }
      <dt>State</dt>
      <dd><span class="state state-${h.state}">${h.state}</span></dd>
      <dt>Size</dt>
      <dd>${h.size} bytes</dd>
    </dl>
    ${timeline(h)}
    ${allows(p.role, 'operator') ? html`<p><a class="button" href="${body}">Show the body (audited)</a></p>` : html`<p class="note">Bodies are shown to operators only.</p>`}
  </section>`;
}

function planVersions(s: Story): Html {
  return s.carePlanVersions.length === 0
    ? html``
    : table(
        'Care-plan versions this message made',
        ['Plan id', 'Version', 'Event', 'By', 'At'],
        s.carePlanVersions.map(
          (v) =>
            html`<tr>
              <td><code>${v.planId}</code></td>
              <td>${v.version}</td>
              <td>${v.event}</td>
              <td>${v.by}</td>
              <td>${when(v.at)}</td>
            </tr>`,
        ),
      );
}

export function storyView(s: Story, p: Principal): Html {
  return html`${s.messages.map((h) => history(h, p, 'Message'))} ${planVersions(s)}
  ${s.about.map((h) => history(h, p, 'About the original'))}
  ${s.answeredBy.map((h) => history(h, p, 'Answered by'))}`;
}

export const bodyView = (trackingId: string, pretty: string): Html =>
  html`<p>The original bytes as received, laid out for reading. This view is in the audit log.</p>
    <p><a href="/console/messages/${encodeURIComponent(trackingId)}">Back to the story</a></p>
    <pre class="xml" tabindex="0" aria-label="Message body">${pretty}</pre>`;
