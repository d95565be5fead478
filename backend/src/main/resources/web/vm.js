// One VM: its state and details as last reported, charts, snapshots, events, commands, and its
// actions, each following its command to the result.

import * as actions from './actions.js';
import { get, paths } from './api.js';
import { panel } from './charts.js';
import { addresses, recent } from './agent.js';
import { ago, el, facts, lines, replace, table } from './dom.js';
import { migrateAction } from './migrate.js';

const LIFECYCLE = [
  ['Start', 'start', 'action-start'],
  ['Stop', 'stop', 'action-stop'],
  ['Force stop', 'stop', 'action-force-stop'],
  ['Restart', 'restart', 'action-restart'],
  ['Pause', 'pause', 'action-pause'],
  ['Resume', 'resume', 'action-resume'],
  ['Snapshot', 'snapshot', 'action-snapshot'],
  ['Delete…', 'delete', 'action-delete'],
];

/** Renders the VM `name` of agent `agentId` into `view`. */
export async function render(view, agentId, name) {
  const [agent, vm] = await Promise.all([get(paths.agent(agentId)), find(agentId, name)]);
  if (!vm) {
    replace(view, el('h1', {}, name), el('p', { className: 'error' }, 'The agent reports no VM of this name.'));
    return;
  }
  const details = el('div', { id: 'vm-details' });
  const status = el('p', { className: 'status', id: 'action-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const result = el('pre', { className: 'result', id: 'action-result' });
  const snapshots = el('div', { id: 'snapshots' });
  const dialog = deleteDialog(agentId, name, status, result);
  const showDetails = (v) => replace(details, facts([
    ['State', el('span', { id: 'vm-state', className: 'state state-' + v.state }, v.state)],
    ['UUID', v.uuid],
    ['Reported', ago(v.reported_at)],
    ['Agent', v.agent_connectivity ?? agent.connectivity],
    ['Addresses', addresses(v)],
    ['Addresses reported', v.addresses_reported_at ? ago(v.addresses_reported_at) : null],
  ]));
  showDetails(vm);

  const act = async (operation, id) => {
    if (operation === 'delete') {
      dialog.showModal();
      return;
    }
    const params = { vm: name };
    if (id === 'action-force-stop') {
      params.force = 'true';
    }
    const command = await actions.run(agentId, operation, params, status);
    lines(result, command ? actions.resultText(command) : '');
    if (command) {
      // The VM's state comes with the agent's next report: follow it for a while.
      await follow(agentId, name, vm.state, showDetails);
    }
  };
  replace(view,
    el('p', {}, el('a', { href: '#/agent/' + encodeURIComponent(agentId) }, '← ', agent.name ?? agentId)),
    el('h1', {}, 'VM ', el('span', { id: 'vm-name' }, name)),
    details,
    el('section', {}, el('h2', {}, 'Actions'),
      actions.buttons(LIFECYCLE, actions.advertised(agent), act),
      status, result, dialog),
    actions.offers(agent, 'migrate') ? el('section', {}, el('h2', {}, 'Migration'),
      migrateAction(agent, name)) : null,
    settings(agent, name, status, result),
    el('section', {}, el('h2', {}, 'Snapshots'),
      el('button', {
        type: 'button', id: 'list-snapshots',
        on: { click: () => listSnapshots(agentId, name, snapshots) },
      }, 'List snapshots'),
      snapshots),
    panel(agentId, name),
    recent(agentId, name));
}

async function find(agentId, name) {
  const list = await get(paths.vms, { agent_id: agentId });
  return list.vms.find((v) => v.name === name) ?? null;
}

async function follow(agentId, name, before, showDetails) {
  for (let i = 0; i < 20; i++) {
    const vm = await find(agentId, name);
    if (!vm) {
      return;
    }
    showDetails(vm);
    if (vm.state !== before) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

async function listSnapshots(agentId, name, into) {
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  replace(into, status);
  const command = await actions.run(agentId, 'snapshot', { vm: name, action: 'list' }, status);
  const list = command?.result?.result?.snapshots;
  if (list) {
    into.append(list.length
      ? table(['Name', 'Taken', 'State', 'Current', 'Description'],
        list.map((s) => [s.name, s.creation_time, s.state, s.current ? 'yes' : '', s.description]))
      : el('p', { className: 'muted' }, 'No snapshots.'));
  }
}

/** Autostart and resources, where the agent offers them. */
function settings(agent, name, status, result) {
  const offered = actions.advertised(agent);
  const has = (op) => offered === null || offered.has(op);
  if (!has('set_autostart') && !has('set_resources')) {
    return null;
  }
  const run = async (operation, params) => {
    const command = await actions.run(agent.agent_id, operation, { vm: name, ...params }, status);
    lines(result, command ? actions.resultText(command) : '');
  };
  const vcpus = el('input', { type: 'number', min: 1, max: 4096, id: 'set-vcpus', attrs: { 'aria-label': 'vCPUs' } });
  const memory = el('input', { type: 'number', min: 16, id: 'set-memory', attrs: { 'aria-label': 'Memory (MiB)' } });
  return el('section', {}, el('h2', {}, 'Settings'),
    has('set_autostart') ? el('div', { className: 'actions' },
      el('button', { type: 'button', on: { click: () => run('set_autostart', { enabled: 'true' }) } }, 'Autostart on'),
      el('button', { type: 'button', on: { click: () => run('set_autostart', { enabled: 'false' }) } }, 'Autostart off')) : null,
    has('set_resources') ? el('form', {
      className: 'actions',
      on: {
        submit: (event) => {
          event.preventDefault();
          const params = {};
          if (vcpus.value) {
            params.vcpus = vcpus.value;
          }
          if (memory.value) {
            params.memory_mib = memory.value;
          }
          run('set_resources', params);
        },
      },
    }, el('label', {}, 'vCPUs ', vcpus), el('label', {}, 'Memory (MiB) ', memory),
    el('button', { type: 'submit' }, 'Set resources')) : null);
}

/** Delete asks for the VM's name, typed, before it queues anything. */
function deleteDialog(agentId, name, status, result) {
  const typed = el('input', { id: 'delete-confirm', autocomplete: 'off', attrs: { 'aria-label': 'VM name' } });
  const storage = el('input', { type: 'checkbox', id: 'delete-storage' });
  const confirm = el('button', { type: 'submit', id: 'delete-go', disabled: true }, 'Delete');
  typed.addEventListener('input', () => { confirm.disabled = typed.value !== name; });
  const dialog = el('dialog', { id: 'delete-dialog' },
    el('form', {
      on: {
        submit: async (event) => {
          event.preventDefault();
          if (typed.value !== name) {
            return;
          }
          dialog.close();
          const command = await actions.run(agentId, 'delete',
            { vm: name, remove_storage: storage.checked ? 'true' : 'false' }, status);
          lines(result, command ? actions.resultText(command) : '');
        },
      },
    },
    el('p', {}, 'Deleting cannot be undone. Type the VM\'s name to confirm: ', el('strong', {}, name)),
    typed,
    el('label', {}, storage, ' also remove its storage volumes'),
    el('div', { className: 'actions' },
      el('button', { type: 'button', on: { click: () => dialog.close() } }, 'Cancel'),
      confirm)));
  return dialog;
}
