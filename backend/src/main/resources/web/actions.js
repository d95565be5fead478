// VM actions: each is queued as a command, its progress shown while the agent works on it, and its
// exact result shown when it arrives, without reloading the page.

import { call, get, paths } from './api.js';
import { el, replace } from './dom.js';

const FINISHED = new Set(['succeeded', 'failed', 'expired', 'cancelled']);

/** Queues `operation` on the agent and follows it in `status` until it finishes; answers the command. */
export async function run(agentId, operation, params, status) {
  status.dataset.state = 'sending';
  replace(status, operation + ': sending…');
  let command;
  try {
    command = await call('POST', paths.commands, { agent_id: agentId, operation, params });
  } catch (e) {
    refused(status, operation, e);
    return null;
  }
  while (!FINISHED.has(command.state)) {
    status.dataset.state = command.state;
    replace(status, operation + ': ' + command.state + ' (command ' + command.id + ')…');
    try {
      command = await get(paths.command(command.id), { wait: 10 });
    } catch (e) {
      status.dataset.state = 'failed';
      replace(status, operation + ': cannot follow command ' + command.id + ': ' + e.message);
      return null;
    }
  }
  status.dataset.state = command.state;
  replace(status, describe(command));
  return command;
}

/** Shows in `status` that the backend refused `what`: the refusal's code and message. */
export function refused(status, what, e) {
  status.dataset.state = 'failed';
  replace(status, what + ' refused: ', e.code ? e.code + ': ' : '', e.message);
}

/** One line for a finished command: its state and the result's message or error. */
export function describe(command) {
  const result = command.result ?? command.late_result;
  const parts = [command.operation + ' ' + command.state];
  if (result?.error) {
    parts.push(result.error.code + ': ' + result.error.message);
  } else if (result?.result) {
    const r = result.result;
    if (r.message) {
      parts.push(r.message);
    }
    if (r.state_after) {
      parts.push('state now ' + r.state_after);
    }
  }
  return parts.join(' · ');
}

/** The result of a finished command as indented JSON text, for the details view. */
export function resultText(command) {
  const result = command.result ?? command.late_result;
  return JSON.stringify(result?.result ?? result?.error ?? null, null, 2);
}

/** A row of action buttons; `ops` lists [label, operation, params-maker]. */
export function buttons(ops, advertised, onClick) {
  return el('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Actions' } },
    ops.map(([label, operation, id]) => el('button', {
      type: 'button',
      id,
      disabled: advertised !== null && !advertised.has(operation),
      title: advertised !== null && !advertised.has(operation) ? 'the agent does not offer ' + operation : '',
      on: { click: () => onClick(operation, id) },
    }, label)));
}

/** The operations an agent advertises, or null when it does not say. */
export function advertised(agent) {
  return agent.operations ? new Set(agent.operations.map((o) => o.name)) : null;
}

/** Whether the agent says it offers `operation`, in its operations or else its capabilities. */
export function offers(agent, operation) {
  return (advertised(agent) ?? new Set(agent.capabilities ?? [])).has(operation);
}
