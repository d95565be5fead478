// The dashboard's entry point: the session (login, logout) and the routes of the page
// (#/ the fleet, #/agent/ID an agent, #/agent/ID/vm/NAME a VM).

import * as agentPage from './agent.js';
import { call, useCsrf } from './api.js';
import { el, replace } from './dom.js';
import * as fleetPage from './fleet.js';
import * as vmPage from './vm.js';

const view = document.getElementById('view');
const login = document.getElementById('login');
const logout = document.getElementById('logout');
const crumbs = document.getElementById('crumbs');

async function start() {
  try {
    const session = await call('GET', '/ui/session');
    signedIn(session);
  } catch {
    signedOut();
  }
}

function signedIn(session) {
  useCsrf(session.csrf_token);
  login.hidden = true;
  view.hidden = false;
  logout.hidden = false;
  route();
}

function signedOut(message) {
  useCsrf(null);
  view.hidden = true;
  logout.hidden = true;
  login.hidden = false;
  replace(crumbs);
  replace(document.getElementById('login-error'), message ?? '');
  document.getElementById('token').focus();
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = document.getElementById('token');
  try {
    const session = await call('POST', '/ui/login', undefined, { Authorization: 'Bearer ' + token.value.trim() });
    token.value = '';
    signedIn(session);
  } catch (e) {
    replace(document.getElementById('login-error'), 'Login refused: ', e.message);
  }
});

logout.addEventListener('click', async () => {
  try {
    await call('POST', '/ui/logout');
  } finally {
    signedOut('Logged out.');
  }
});

window.addEventListener('session-ended', () => signedOut('The session has ended; log in again.'));
window.addEventListener('hashchange', () => {
  if (!login.hidden) {
    return;
  }
  route();
});

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  document.body.dataset.view = 'loading';
  try {
    if (parts[0] === 'agent' && parts[1] && parts[2] === 'vm' && parts[3] !== undefined) {
      trail([parts[1], '#/agent/' + encodeURIComponent(parts[1])], [parts[3], null]);
      await vmPage.render(view, parts[1], parts.slice(3).join('/'));
      document.body.dataset.view = 'vm';
    } else if (parts[0] === 'agent' && parts[1]) {
      trail([parts[1], null]);
      await agentPage.render(view, parts[1]);
      document.body.dataset.view = 'agent';
    } else {
      trail();
      await fleetPage.render(view);
      document.body.dataset.view = 'fleet';
    }
  } catch (e) {
    document.body.dataset.view = 'error';
    replace(view, el('p', { className: 'error' }, 'Cannot show this page: ', e.message));
  }
}

function trail(...steps) {
  replace(crumbs, el('a', { href: '#/' }, 'Fleet'),
    steps.map(([label, href]) => [' / ', href ? el('a', { href }, label) : el('span', {}, label)]));
}

start();
