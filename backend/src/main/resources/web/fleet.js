// The fleet: every agent with its status, health and reasons, version, last heartbeat and VM counts
// by state; filtered and sorted in the page; offline and degraded agents stand out.

import { all, paths } from './api.js';
import { ago, el, replace, show } from './dom.js';

const COLUMNS = [
  ['name', 'Agent', (a) => (a.name ?? a.agent_id).toLowerCase()],
  ['status', 'Status', (a) => a.connectivity ?? ''],
  ['health', 'Health', (a) => a.health ?? ''],
  ['version', 'Version', (a) => a.agent_version ?? ''],
  ['heartbeat', 'Last heartbeat', (a) => a.last_heartbeat_at ?? ''],
  ['vms', 'VMs', (a) => a.vm_count ?? 0],
];

/** Renders the fleet into `view`. */
export async function render(view) {
  const started = performance.now();
  const [agents, vms] = await Promise.all([
    all(paths.agents, 'agents', { limit: 500 }),
    all(paths.vms, 'vms').catch(() => []),
  ]);
  const fetched = performance.now();
  const vmStates = new Map();
  for (const vm of vms) {
    const counts = vmStates.get(vm.agent_id) ?? new Map();
    counts.set(vm.state, (counts.get(vm.state) ?? 0) + 1);
    vmStates.set(vm.agent_id, counts);
  }
  const state = { filter: '', status: 'all', sort: 'name', descending: false };
  const tbody = el('tbody');
  const count = el('p', { className: 'muted', id: 'fleet-count' });

  const draw = () => {
    const needle = state.filter.toLowerCase();
    const key = COLUMNS.find((c) => c[0] === state.sort)[2];
    const shown = agents
      .filter((a) => matchesStatus(a, state.status))
      .filter((a) => !needle || searchable(a).includes(needle))
      .sort((a, b) => compare(key(a), key(b)) * (state.descending ? -1 : 1));
    tbody.replaceChildren(...shown.map((a) => row(a, vmStates.get(a.agent_id))));
    replace(count, shown.length + ' of ' + agents.length + ' agents');
  };

  const filter = el('input', {
    type: 'search', id: 'fleet-filter', placeholder: 'Filter by name, id, host, version, reason',
    attrs: { 'aria-label': 'Filter agents' },
    on: { input: (e) => { state.filter = e.target.value; draw(); } },
  });
  const status = el('select', {
    id: 'fleet-status', attrs: { 'aria-label': 'Show agents' },
    on: { change: (e) => { state.status = e.target.value; draw(); } },
  }, ['all', 'online', 'offline', 'degraded', 'healthy'].map((s) => el('option', { value: s }, s)));
  const heads = COLUMNS.map(([id, label]) => {
    const button = el('button', {
      type: 'button', className: 'sort', data: { sort: id },
      on: {
        click: () => {
          state.descending = state.sort === id ? !state.descending : false;
          state.sort = id;
          for (const th of heads) {
            th.setAttribute('aria-sort', th.dataset.sort === id ? (state.descending ? 'descending' : 'ascending') : 'none');
          }
          draw();
        },
      },
    }, label);
    return el('th', { scope: 'col', data: { sort: id }, attrs: { 'aria-sort': id === 'name' ? 'ascending' : 'none' } }, button);
  });
  const online = agents.filter((a) => a.connectivity === 'online').length;
  const degraded = agents.filter((a) => a.health === 'degraded').length;
  replace(view,
    el('h1', {}, 'Fleet'),
    el('p', { className: 'summary' },
      el('span', {}, agents.length + ' agents'), ' · ',
      el('span', {}, online + ' online'), ' · ',
      el('span', { className: agents.length - online ? 'bad' : '' }, (agents.length - online) + ' offline'), ' · ',
      el('span', { className: degraded ? 'warn' : '' }, degraded + ' degraded')),
    el('div', { className: 'toolbar' }, filter, status),
    count,
    el('div', { className: 'scroll' }, el('table', { id: 'fleet', className: 'fleet' }, el('thead', {}, el('tr', {}, heads)), tbody)));
  draw();
  const drawn = performance.now();
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const painted = performance.now();
  document.body.dataset.fleetAgents = String(agents.length);
  document.body.dataset.fleetFetchMs = (fetched - started).toFixed(1);
  document.body.dataset.fleetRenderMs = (drawn - fetched).toFixed(1);
  document.body.dataset.fleetTotalMs = (painted - started).toFixed(1);
}

function matchesStatus(agent, status) {
  switch (status) {
    case 'online': return agent.connectivity === 'online';
    case 'offline': return agent.connectivity !== 'online';
    case 'degraded': return agent.health === 'degraded';
    case 'healthy': return agent.health === 'healthy';
    default: return true;
  }
}

function searchable(a) {
  return [a.name, a.agent_id, a.hostname, a.agent_version, ...(a.reasons ?? [])].join('\n').toLowerCase();
}

function compare(x, y) {
  return x < y ? -1 : x > y ? 1 : 0;
}

function row(agent, states) {
  const offline = agent.connectivity !== 'online';
  const degraded = agent.health === 'degraded';
  const counts = states ? [...states.entries()].sort().map(([s, n]) => n + ' ' + s).join(', ') : '';
  return el('tr', {
    className: [offline ? 'offline' : '', degraded ? 'degraded' : ''].join(' ').trim(),
    data: { agentId: agent.agent_id },
  },
  el('td', {}, el('a', { href: '#/agent/' + encodeURIComponent(agent.agent_id) }, agent.name ?? agent.agent_id),
    el('div', { className: 'muted small' }, agent.agent_id)),
  el('td', {}, el('span', { className: 'badge ' + (offline ? 'bad' : 'good') }, show(agent.connectivity))),
  el('td', {}, el('span', { className: 'badge ' + (degraded ? 'warn' : agent.health === 'healthy' ? 'good' : '') }, show(agent.health)),
    (agent.reasons ?? []).length ? el('div', { className: 'small' }, agent.reasons.join(', ')) : null),
  el('td', {}, show(agent.agent_version)),
  el('td', {}, ago(agent.last_heartbeat_at)),
  el('td', {}, counts || String(agent.vm_count ?? 0)));
}
