// One agent: hypervisor facts, health, its VMs, recent events and commands, host charts, and
// creating a VM where the agent offers it.

import * as actions from './actions.js';
import { get, paths } from './api.js';
import { panel } from './charts.js';
import { ago, bytes, el, facts, replace, show, table } from './dom.js';
import { drainPanel } from './drain.js';

/** Renders the agent `agentId` into `view`. */
export async function render(view, agentId) {
  const [agent, vmList] = await Promise.all([
    get(paths.agent(agentId)),
    get(paths.vms, { agent_id: agentId }),
  ]);
  const h = agent.hypervisor ?? {};
  const offline = agent.connectivity !== 'online';
  const [draining, drain] = drainPanel(agent);
  replace(view,
    el('h1', {}, agent.name ?? agent.agent_id,
      ' ', el('span', { className: 'badge ' + (offline ? 'bad' : 'good'), id: 'agent-connectivity' }, show(agent.connectivity)),
      ' ', el('span', { className: 'badge ' + (agent.health === 'degraded' ? 'warn' : 'good'), id: 'agent-health' }, show(agent.health)),
      ' ', draining),
    (agent.reasons ?? []).length ? el('p', { className: 'warn' }, 'Reasons: ', agent.reasons.join(', ')) : null,
    (agent.warnings ?? []).length ? el('p', { className: 'warn' }, 'Warnings: ', agent.warnings.join('; ')) : null,
    el('div', { className: 'columns' },
      el('section', {}, el('h2', {}, 'Agent'), facts([
        ['Id', agent.agent_id],
        ['Host', agent.hostname],
        ['Version', agent.agent_version],
        ['Newest known version', agent.newest_known_version],
        ['Registered', agent.registered_at],
        ['Last heartbeat', ago(agent.last_heartbeat_at)],
        ['Uptime', agent.uptime_seconds === null || agent.uptime_seconds === undefined ? null : Math.round(agent.uptime_seconds / 60) + ' min'],
        ['Clock offset', agent.clock_offset_ms === null || agent.clock_offset_ms === undefined ? null : agent.clock_offset_ms + ' ms'],
        ['Spool depth', agent.spool_depth],
        ['Commands pending', agent.commands_pending],
      ])),
      el('section', {}, el('h2', {}, 'Hypervisor'), facts([
        ['libvirt URI', agent.libvirt_uri],
        ['Driver', h.driver],
        ['Hypervisor version', h.hypervisor_version],
        ['libvirt version', h.libvirt_version],
        ['CPU model', h.cpu_model],
        ['CPUs', h.cpus],
        ['Memory', h.memory_bytes === null || h.memory_bytes === undefined ? null : bytes(h.memory_bytes)],
        ['Architecture', h.arch],
        ['Operations', [...(actions.advertised(agent) ?? agent.capabilities ?? [])].join(', ')],
      ]))),
    drain,
    el('section', {}, el('h2', {}, 'VMs'),
      table(['Name', 'State', 'Reported', 'Addresses'], vmList.vms.map((vm) => [
        el('a', { href: '#/agent/' + encodeURIComponent(agentId) + '/vm/' + encodeURIComponent(vm.name), className: 'vm-link' }, vm.name),
        el('span', { className: 'state state-' + vm.state }, vm.state),
        ago(vm.reported_at),
        addresses(vm),
      ]), { id: 'vms' })),
    createForm(agent),
    panel(agentId, null),
    recent(agentId, null));
}

/** A VM's addresses as one line of text. */
export function addresses(vm) {
  return (vm.interfaces ?? []).flatMap((i) => (i.addresses ?? []).map((a) => a.address + '/' + a.prefix)).join(', ');
}

/** The events and commands of the agent (and VM, when given), newest first, filled in when they arrive. */
export function recent(agentId, vm) {
  const events = el('div', {}, 'Loading…');
  const commands = el('div', {}, 'Loading…');
  const since = new Date(Date.now() - 7 * 86400 * 1000).toISOString();
  get(paths.events, { agent_id: agentId, vm, since, limit: 25 })
    .then((page) => replace(events, table(['Time', 'VM', 'Event', 'Detail'],
      page.events.slice(0, 25).map((e) => [e.timestamp, e.vm_name, e.event_type, e.detail]), { className: 'events' })))
    .catch((e) => replace(events, el('p', { className: 'error' }, e.message)));
  get(paths.commands, { agent_id: agentId, vm, limit: 25 })
    .then((page) => replace(commands, table(['Created', 'Operation', 'VM', 'State', 'Result'],
      page.commands.sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).map((c) => [
        c.created_at, c.operation, c.params?.vm, c.state, c.result || c.late_result ? actions.describe(c) : '',
      ]), { className: 'commands', id: 'commands' })))
    .catch((e) => replace(commands, el('p', { className: 'error' }, e.message)));
  return el('div', { className: 'columns' },
    el('section', {}, el('h2', {}, 'Recent events'), events),
    el('section', {}, el('h2', {}, 'Recent commands'), commands));
}

/** Creating a VM on the agent (the `create` operation), when the agent offers it. */
function createForm(agent) {
  const offered = actions.advertised(agent);
  if (offered !== null && !offered.has('create')) {
    return null;
  }
  const input = (id, label, props = {}) => el('label', {}, label, el('input', { id, name: id, ...props }));
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const form = el('form', {
    className: 'create',
    on: {
      submit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const params = {};
        for (const [k, v] of data.entries()) {
          if (String(v) !== '') {
            params[k] = String(v);
          }
        }
        params.start = data.get('start') ? 'true' : 'false';
        await actions.run(agent.agent_id, 'create', params, status);
      },
    },
  },
  input('vm', 'Name', { required: true }),
  input('vcpus', 'vCPUs', { type: 'number', min: 1, max: 256, value: 1, required: true }),
  input('memory_mib', 'Memory (MiB)', { type: 'number', min: 16, value: 1024, required: true }),
  input('disks', 'Disks', { placeholder: 'pool=default,size=10240' }),
  input('network', 'Network', { placeholder: 'default' }),
  el('label', {}, el('input', { type: 'checkbox', name: 'start', value: 'true' }), ' start once made'),
  el('button', { type: 'submit' }, 'Create VM'),
  status);
  return el('details', { className: 'create-vm' }, el('summary', {}, 'Create a VM'), form);
}
