// Moving a VM to another agent's host: a dialog choosing the destination and the options, then the
// migration followed state by state to the agent the backend found holding the VM.

import { refused } from './actions.js';
import { all, call, get, paths } from './api.js';
import { el, facts, replace, show } from './dom.js';

const ENDED = new Set(['succeeded', 'failed', 'conflict']);
const FOLLOW_MS = 1000;

/**
 * Fills `select` with the agents other than `selfId` (offline ones disabled), after `first` when
 * given; answers how many can be chosen. The agent view does not say which agents take
 * migrations: the backend refuses one that does not, and the page shows why.
 */
export async function destinations(select, selfId, first) {
  const agents = (await all(paths.agents, 'agents', { limit: 500 }))
    .filter((a) => a.agent_id !== selfId)
    .sort((a, b) => ((a.name ?? a.agent_id) < (b.name ?? b.agent_id) ? -1 : 1));
  select.replaceChildren(...(first ? [first] : []), ...agents.map((a) => {
    const offline = a.connectivity !== 'online';
    const label = (a.name ?? a.agent_id) + (a.name && a.name !== a.agent_id ? ' (' + a.agent_id + ')' : '');
    return el('option', { value: a.agent_id, disabled: offline }, label, offline ? ' — ' + show(a.connectivity) : '');
  }));
  const choosable = agents.filter((a) => a.connectivity === 'online').length;
  const enabled = [...select.options].find((o) => !o.disabled);
  if (enabled) {
    select.value = enabled.value;
  }
  return choosable;
}

/** A checkbox with its label after it. */
export function checkbox(id, checked, label) {
  return el('label', { className: 'check' }, el('input', { type: 'checkbox', id, checked }), ' ', label);
}

/** Waits `ms` milliseconds. */
export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The "Migrate…" button, its dialog and the place the migration is followed, for VM `name` on
 * `agent`: [button, dialog, progress].
 */
export function migrateAction(agent, name) {
  const progress = el('div', { id: 'migration' });
  const to = el('select', { id: 'migrate-to', required: true });
  const note = el('p', { className: 'muted note', id: 'migrate-note' });
  const live = checkbox('migrate-live', true, 'live: the VM keeps running while it moves');
  const copy = checkbox('migrate-copy-storage', false, 'copy storage (the hosts share none)');
  const bandwidth = el('input', { type: 'number', id: 'migrate-bandwidth', min: 1, placeholder: 'no limit' });
  const deadline = el('input', { type: 'number', id: 'migrate-deadline', min: 1, placeholder: 'the agent\'s default' });
  const go = el('button', { type: 'submit', id: 'migrate-go' }, 'Migrate');
  const dialog = el('dialog', { id: 'migrate-dialog', attrs: { 'aria-labelledby': 'migrate-title' } },
    el('form', {
      className: 'create',
      on: {
        submit: async (event) => {
          event.preventDefault();
          const options = {
            live: String(live.firstChild.checked),
            copy_storage: String(copy.firstChild.checked),
          };
          if (bandwidth.value) {
            options.bandwidth_mib = bandwidth.value;
          }
          if (deadline.value) {
            options.deadline_seconds = deadline.value;
          }
          dialog.close();
          await migrate(agent.agent_id, name, to.value, options, progress);
        },
      },
    },
    el('h2', { id: 'migrate-title' }, 'Migrate ', name),
    el('label', {}, 'Destination agent', to),
    note,
    live,
    copy,
    el('label', {}, 'Bandwidth (MiB/s, optional)', bandwidth),
    el('label', {}, 'Deadline (seconds, optional)', deadline),
    el('div', { className: 'actions' },
      el('button', { type: 'button', id: 'migrate-cancel', on: { click: () => dialog.close() } }, 'Cancel'),
      go)));
  const button = el('button', {
    type: 'button',
    id: 'action-migrate',
    on: {
      click: async () => {
        try {
          const choosable = await destinations(to, agent.agent_id);
          go.disabled = choosable === 0;
          replace(note, choosable === 0 ? 'No other agent is online.' : '');
        } catch (e) {
          go.disabled = true;
          replace(note, 'Cannot list the agents: ', e.message);
        }
        dialog.showModal();
      },
    },
  }, 'Migrate…');
  return [button, dialog, progress];
}

/** Begins the migration and follows it in `progress` until it ends. */
async function migrate(source, name, destination, options, progress) {
  const status = el('p', { className: 'status', id: 'migration-status', attrs: { role: 'status' } });
  const steps = el('ol', { className: 'steps', id: 'migration-steps' });
  replace(progress, status, steps);
  progress.scrollIntoView({ block: 'nearest' });
  status.dataset.state = 'sending';
  replace(status, 'migrate: sending…');
  let migration;
  try {
    migration = await call('POST', paths.migrations,
      { vm: name, source_agent: source, destination_agent: destination, options });
  } catch (e) {
    refused(status, 'migrate', e);
    return;
  }
  let shown = null;
  for (;;) {
    if (migration.state !== shown) {
      shown = migration.state;
      steps.append(el('li', { data: { state: shown } }, shown, ' ',
        el('span', { className: 'muted small' }, new Date(migration.updated_at).toLocaleTimeString())));
    }
    status.dataset.state = migration.state;
    if (ENDED.has(migration.state)) {
      break;
    }
    replace(status, 'migration ', migration.migration_id, ': ', migration.state, '…');
    await pause(FOLLOW_MS);
    // Left the page, or began another migration here: this one is no longer shown.
    if (!status.isConnected) {
      return;
    }
    try {
      migration = await get(paths.migration(migration.migration_id));
    } catch (e) {
      status.dataset.state = 'failed';
      replace(status, 'cannot follow migration ', migration.migration_id, ': ', e.message);
      return;
    }
  }
  replace(status, 'migration ', migration.state);
  progress.append(facts([
    ['State', el('span', { id: 'migration-state' }, migration.state)],
    ['Holder', el('span', { id: 'migration-holder' }, holder(migration))],
    ['Message', el('span', { id: 'migration-message' }, show(migration.message))],
    ['Migration', migration.migration_id],
  ]));
}

/** The agent holding the VM: a link to the VM on its page when the VM moved there. */
function holder(migration) {
  if (!migration.holder) {
    return 'unknown';
  }
  if (migration.holder === migration.source_agent) {
    return [migration.holder, ' (the source)'];
  }
  return el('a', {
    id: 'migration-holder-link',
    href: '#/agent/' + encodeURIComponent(migration.holder) + '/vm/' + encodeURIComponent(migration.vm),
  }, migration.holder);
}
