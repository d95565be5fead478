// The operator API as the page calls it: the session cookie goes along by itself; every request
// that changes something carries the session's CSRF token in a header.

let csrfToken = null;

/** Remembers the session's CSRF token. */
export function useCsrf(token) {
  csrfToken = token;
}

/** A refused or failed request: the HTTP status and the problem document when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? 'HTTP ' + status);
    this.status = status;
    this.code = problem?.code ?? null;
  }
}

/** Sends a request and answers its JSON body; throws ApiError for any status but 2xx. */
export async function call(method, path, body, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (method !== 'GET' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent('session-ended'));
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

/** GET with query parameters (absent ones left out). */
export function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) {
      params.set(name, value);
    }
  }
  const qs = params.toString();
  return call('GET', qs ? path + '?' + qs : path);
}

/** Every page of a paged list (the member `key`, the cursor `next`). */
export async function all(path, key, query = {}) {
  const items = [];
  let after = null;
  do {
    const page = await get(path, { ...query, after });
    items.push(...page[key]);
    after = page.next ?? null;
  } while (after);
  return items;
}

export const paths = {
  agents: '/api/v1/operator/agents',
  agent: (id) => '/api/v1/operator/agents/' + encodeURIComponent(id),
  vms: '/api/v1/operator/vms',
  events: '/api/v1/operator/events',
  commands: '/api/v1/operator/commands',
  command: (id) => '/api/v1/operator/commands/' + encodeURIComponent(id),
  history: '/api/v1/operator/metrics/history',
  migrations: '/api/v1/operator/migrations',
  migration: (id) => '/api/v1/operator/migrations/' + encodeURIComponent(id),
  drain: (id) => '/api/v1/operator/agents/' + encodeURIComponent(id) + '/drain',
};
