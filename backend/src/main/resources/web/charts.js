// Charts of the metrics history: one chart per series the backend answers (average and maximum),
// labelled with the series' own name and unit, drawn by uPlot.

import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { ApiError, get, paths } from './api.js';
import { el, replace } from './dom.js';

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 4 });

const RANGES = [
  ['1 h', 3600, 60],
  ['24 h', 86400, 600],
  ['7 d', 604800, 3600],
];

/** A chart panel for the agent (and VM, when given) with its range buttons. */
export function panel(agentId, vm) {
  const body = el('div', { className: 'charts', data: { state: 'loading' } }, 'Loading charts…');
  const buttons = RANGES.map(([label, seconds, step], i) =>
    el('button', {
      type: 'button',
      className: 'range',
      attrs: { 'aria-pressed': i === 0 ? 'true' : 'false' },
      on: {
        click: (event) => {
          for (const b of buttons) {
            b.setAttribute('aria-pressed', b === event.currentTarget ? 'true' : 'false');
          }
          load(body, agentId, vm, seconds, step);
        },
      },
    }, label));
  load(body, agentId, vm, RANGES[0][1], RANGES[0][2]);
  return el('section', { className: 'chart-panel' },
    el('h2', {}, 'Charts'),
    el('div', { className: 'ranges', attrs: { role: 'group', 'aria-label': 'Time range' } }, buttons),
    body);
}

async function load(body, agentId, vm, seconds, step) {
  const to = new Date();
  const from = new Date(to.getTime() - seconds * 1000);
  body.dataset.state = 'loading';
  let history;
  try {
    history = await get(paths.history, {
      agent_id: agentId,
      vm: vm ?? null,
      from: from.toISOString(),
      to: to.toISOString(),
      step,
    });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      empty(body, 'No data: this backend keeps no metrics history for this period.');
    } else {
      body.dataset.state = 'error';
      replace(body, el('p', { className: 'error' }, 'Cannot load the charts: ', e.message));
    }
    return;
  }
  const timestamps = history?.timestamps ?? [];
  const series = (history?.series ?? []).filter((s) => (s.avg ?? []).some((v) => v !== null) || (s.max ?? []).some((v) => v !== null));
  if (timestamps.length === 0 || series.length === 0) {
    empty(body, 'No data for this period yet.');
    return;
  }
  let points = 0;
  replace(body);
  // Every figure first, then the charts: each chart takes its figure's width in the final layout.
  const boxes = series.map((s) => {
    points += (s.avg ?? []).filter((v) => v !== null).length;
    const box = el('figure', { className: 'chart', data: { series: s.name } },
      el('figcaption', {}, s.name + (s.unit ? ' (' + s.unit + ')' : '')));
    body.append(box);
    return box;
  });
  series.forEach((s, i) => {
    const box = boxes[i];
    // uPlot draws on a canvas and sets sizes through the CSSOM: nothing it does needs an inline
    // style or script, so the page's Content-Security-Policy holds.
    new uPlot({
      width: Math.max(240, box.clientWidth || 600),
      height: 180,
      series: [
        {},
        { label: 'avg', stroke: '#2563eb', width: 1.5, spanGaps: false, points: { show: true, size: 5 } },
        { label: 'max', stroke: '#dc2626', width: 1, dash: [4, 3], spanGaps: false, points: { show: true, size: 4 } },
      ],
      axes: [{}, { size: 60, values: (u, splits) => splits.map((v) => COMPACT.format(v)) }],
    }, [timestamps, s.avg ?? [], s.max ?? []], box);
  });
  body.dataset.points = String(points);
  body.dataset.state = 'data';
}

function empty(body, message) {
  body.dataset.state = 'empty';
  body.dataset.points = '0';
  replace(body, el('p', { className: 'no-data' }, message));
}
