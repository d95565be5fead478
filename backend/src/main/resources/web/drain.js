// Draining an agent's host: every VM running there moves to other agents. While the drain is on,
// the agent page says so and shows its moves, refreshed until every one ended, until it is ended.

import { refused } from './actions.js';
import { call, get, paths } from './api.js';
import { ago, el, replace, table } from './dom.js';
import { checkbox, destinations, pause } from './migrate.js';

const REFRESH_MS = 1000;

/**
 * The agent's drain: [badge, section]. The badge (for the page's heading) shows "draining" while
 * a drain is on; the section offers "Drain host…" or shows the drain under way.
 */
export function drainPanel(agent) {
  const id = agent.agent_id;
  const badge = el('span', { className: 'badge draining', id: 'agent-draining', hidden: true }, 'draining');
  const status = el('p', { className: 'status', id: 'drain-status', attrs: { role: 'status' } });
  const body = el('div', { id: 'drain' });
  const section = el('section', {}, el('h2', {}, 'Drain'), body, status);
  const dialog = drainDialog(id, async (request) => {
    try {
      const view = await call('POST', paths.drain(id), request);
      delete status.dataset.state;
      replace(status, 'Drain started.');
      await follow(view);
    } catch (e) {
      refused(status, 'drain', e);
    }
  });

  // Counts what the section shows: a refresh that finds it moved on (the drain ended, another
  // began) is dropped, so an answer read before the end cannot draw the drain again.
  let shown = 0;
  const idle = () => {
    shown++;
    badge.hidden = true;
    replace(body,
      el('p', { className: 'muted' }, 'Not being drained. A drain moves every VM running here to other agents, and the agent takes no other commands until the drain ends.'),
      el('button', { type: 'button', id: 'drain-open', on: { click: () => dialog.open() } }, 'Drain host…'),
      dialog.node);
  };
  const end = async (event) => {
    event.target.disabled = true;
    try {
      await call('DELETE', paths.drain(id));
      status.dataset.state = 'succeeded';
      replace(status, 'Drain ended: the agent takes commands again.');
      idle();
    } catch (e) {
      event.target.disabled = false;
      refused(status, 'end drain', e);
    }
  };
  // Shows the drain `view` and refreshes it while moves are under way and the page shows it.
  const follow = async (view) => {
    const mine = ++shown;
    let current = view;
    for (;;) {
      draw(current);
      if (current.done || !section.isConnected) {
        return;
      }
      await pause(REFRESH_MS);
      try {
        current = await get(paths.drain(id));
      } catch (e) {
        if (mine !== shown) {
          return;
        }
        if (e.status === 404) {
          idle();
        } else {
          replace(status, 'Cannot refresh the drain: ', e.message);
        }
        return;
      }
      if (mine !== shown) {
        return;
      }
    }
  };
  const draw = (view) => {
    badge.hidden = false;
    replace(body,
      el('p', { className: 'draining-banner', id: 'drain-summary' },
        'Draining', view.done ? ' (every move ended)' : '', ': began ', ago(view.started_at),
        view.started_by ? ' by ' + view.started_by : '',
        ', moving VMs ', view.to ? ['to ', view.to] : 'each to the online agent with the most free memory',
        ', ', String(view.parallel), ' at a time.'),
      view.moves.length
        ? table(['VM', 'Destination', 'State', 'Message'], view.moves.map((m) => [
          m.vm,
          m.destination_agent ? el('a', { href: '#/agent/' + encodeURIComponent(m.destination_agent) }, m.destination_agent) : null,
          el('span', { className: 'move-' + m.state }, m.state),
          m.message,
        ]), { id: 'drain-moves' })
        : el('p', { className: 'muted' }, 'No VM was running here when the drain began.'),
      el('button', { type: 'button', id: 'drain-end', on: { click: end } }, 'End drain'));
  };

  get(paths.drain(id))
    .then(follow)
    .catch((e) => {
      if (e.status === 404) {
        idle();
      } else {
        replace(body, el('p', { className: 'error' }, 'Cannot read the drain: ', e.message));
      }
    });
  return [badge, section];
}

/** The "Drain host…" dialog: the agent taking the VMs (or any), how many at once, live or not. */
function drainDialog(agentId, submit) {
  const any = el('option', { value: '' }, 'any: the online agent with the most free memory, per VM');
  const to = el('select', { id: 'drain-to' });
  const parallel = el('input', { type: 'number', id: 'drain-parallel', min: 1, max: 4, value: 1, required: true });
  const live = checkbox('drain-live', true, 'live: the VMs keep running while they move');
  const node = el('dialog', { id: 'drain-dialog', attrs: { 'aria-labelledby': 'drain-title' } },
    el('form', {
      className: 'create',
      on: {
        submit: (event) => {
          event.preventDefault();
          node.close();
          submit({ to: to.value || null, parallel: Number(parallel.value), options: { live: String(live.firstChild.checked) } });
        },
      },
    },
    el('h2', { id: 'drain-title' }, 'Drain ', agentId),
    el('p', {}, 'Every VM running on this host moves to other agents; until the drain ends, the agent takes no other commands.'),
    el('label', {}, 'Move the VMs to', to),
    el('label', {}, 'Migrations at once (1 to 4)', parallel),
    live,
    el('div', { className: 'actions' },
      el('button', { type: 'button', on: { click: () => node.close() } }, 'Cancel'),
      el('button', { type: 'submit', id: 'drain-go' }, 'Start drain'))));
  return {
    node,
    open: async () => {
      try {
        await destinations(to, agentId, any);
      } catch {
        to.replaceChildren(any);
      }
      to.value = '';
      node.showModal();
    },
  };
}
