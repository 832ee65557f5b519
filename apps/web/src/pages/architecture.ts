// #/architecture: the system diagram, live. Drawn from the control service's frames (one a second
// over SSE), which it builds from @sdp/topology and the components' own /metrics and admin APIs.
// Admins can run the study guide's experiments from here and watch them on the diagram.
import {
  controlApi,
  controlStreamUrl,
  type ControlFrame,
  type DiagramNode,
  type Scenario,
  type ScenarioRun,
} from '../architecture/architecture-api';
import { drawDiagram, MAX_LINES } from '../architecture/diagram-svg';
import { layoutDiagram, layoutKey, type Layout } from '../architecture/layout';
import '../architecture/architecture.css';
import type { PageContext, StillCurrent } from '../context';
import { h, replace } from '../dom';
import { describeError } from '../errors';
import { loginHref } from '../router';

const statusText: Record<string, string> = {
  running: 'running…',
  held: 'invariant held',
  broken: 'invariant BROKEN',
  failed: 'failed',
};

export async function renderArchitecture(ctx: PageContext, current: StillCurrent): Promise<void> {
  const user = ctx.session.user;
  if (!user || user.role !== 'admin') {
    replace(
      ctx.view,
      h('h1', {}, 'Architecture, live'),
      h(
        'p',
        { testid: 'architecture-admin-only' },
        'The live diagram shows the stack’s internals and runs experiments that break it on purpose, so it is for admins. ',
        h('a', { href: loginHref('#/architecture') }, 'Log in as an admin'),
        ' (admin@example.com with the demo password).',
      ),
    );
    return;
  }
  const api = controlApi(ctx.api);
  const [scenarios, runs] = await Promise.all([api.scenarios(), api.runs()]);
  if (!current()) return;

  const diagramHolder = h(
    'div',
    { class: 'diagram-holder', testid: 'diagram-holder' },
    h('p', { class: 'muted' }, 'Waiting for the first frame…'),
  );
  const details = h(
    'aside',
    { class: 'details', testid: 'details' },
    h('p', { class: 'muted' }, 'Click a box for its figures, its study-guide page and its code.'),
  );
  const liveLine = h('p', { class: 'muted live-line', testid: 'live-line' }, 'connecting…');
  const runPanel = h('section', { class: 'run-panel', testid: 'run-panel' });
  const runsTable = h('div', { testid: 'runs' });
  const scenarioPanel = h('section', { class: 'scenarios', testid: 'scenarios' });

  let frame: ControlFrame | null = null;
  let layout: { key: string; value: Layout } | null = null;
  let selected: string | null = null;
  let lastRunId: string | null = null;

  const showDetails = (node: DiagramNode) => {
    selected = node.id;
    replace(
      details,
      h('h2', { testid: 'details-title' }, node.label),
      h('p', {}, 'Status: ', h('strong', { testid: 'details-status' }, node.status)),
      h(
        'p',
        {},
        'Study guide: ',
        h('code', { testid: 'details-doc' }, node.doc),
        h('br'),
        'Code: ',
        h('code', { testid: 'details-code' }, node.code),
      ),
      h(
        'table',
        { class: 'lines' },
        h(
          'tbody',
          {},
          ...node.figures.map((f) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, f.label),
              h('td', {}, f.value),
              h('td', { class: 'muted' }, f.source),
            ),
          ),
          ...(node.replicas ?? []).map((r) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, r.id),
              h('td', {}, r.status),
              h('td', { class: 'muted' }, r.figures.map((f) => `${f.value} ${f.label}`).join(' · ')),
            ),
          ),
        ),
      ),
    );
  };

  const draw = () => {
    if (!frame) return;
    const { nodes, edges } = frame.snapshot;
    const shape = nodes.map((n) => ({
      id: n.id,
      lines: Math.min(MAX_LINES, n.figures.length),
      replicas: n.replicas?.length ?? 0,
    }));
    const key = layoutKey(shape, edges);
    if (layout?.key !== key) layout = { key, value: layoutDiagram(shape, edges) };
    replace(diagramHolder, drawDiagram(layout.value, nodes, showDetails));
    const count = (status: string) => nodes.filter((n) => n.status === status).length;
    liveLine.textContent = `live · ${new Date(frame.snapshot.at).toLocaleTimeString()} · ${nodes.length} components, ${count('down')} down, ${count('degraded')} degraded · replicas found by ${frame.snapshot.discovery === 'runner' ? 'the runner' : 'DNS'}`;
    const node = selected ? nodes.find((n) => n.id === selected) : undefined;
    if (node) showDetails(node);
  };

  const drawRun = (run: ScenarioRun | null) => {
    if (!run) return;
    replace(
      runPanel,
      h('h2', {}, `Run: ${run.scenario}`),
      h(
        'p',
        {},
        h(
          'strong',
          { testid: 'run-status', 'data-status': run.status },
          statusText[run.status] ?? run.status,
        ),
      ),
      run.invariant ? h('p', { testid: 'run-invariant' }, run.invariant) : null,
      h('pre', { class: 'run-log', testid: 'run-log' }, run.log.join('\n')),
    );
  };

  const drawRuns = (items: ScenarioRun[]) => {
    replace(
      runsTable,
      h('h2', {}, 'Recorded runs'),
      items.length === 0
        ? h('p', { class: 'muted' }, 'No runs yet.')
        : h(
            'table',
            { class: 'lines runs' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'started'),
                h('th', {}, 'scenario'),
                h('th', {}, 'outcome'),
                h('th', {}, 'invariant'),
              ),
            ),
            h(
              'tbody',
              {},
              ...items.map((r) =>
                h(
                  'tr',
                  { testid: 'run-row', 'data-run-id': r.id, 'data-status': r.status },
                  h('td', {}, new Date(r.startedAt).toLocaleTimeString()),
                  h('td', {}, r.scenario),
                  h('td', {}, statusText[r.status] ?? r.status),
                  h('td', {}, r.invariant ?? ''),
                ),
              ),
            ),
          ),
    );
  };

  const refreshRuns = async () => {
    const latest = await api.runs();
    if (!current()) return;
    drawRuns(latest.items);
    const last = latest.items.find((r) => r.id === lastRunId);
    if (last) drawRun(last);
  };

  const start = async (request: Parameters<typeof api.start>[0]) => {
    try {
      const run = await api.start(request);
      lastRunId = run.id;
      drawRun(run);
      ctx.flash.say(`${run.scenario} started`);
    } catch (error) {
      ctx.flash.say(describeError(error), 'error');
    }
  };

  const scenarioControls = (scenario: Scenario): HTMLElement => {
    const inputs: HTMLElement[] = [];
    let request = (): Parameters<typeof api.start>[0] => ({ scenario: scenario.name as never });
    if (scenario.name === 'flash-sale' && scenario.enabled) {
      const buyers = h('input', {
        type: 'number',
        min: 1,
        max: 300,
        value: 40,
        testid: 'flash-buyers',
        'aria-label': 'buyers',
      });
      const units = h('input', {
        type: 'number',
        min: 1,
        max: 300,
        value: 10,
        testid: 'flash-units',
        'aria-label': 'units',
      });
      inputs.push(h('label', {}, 'buyers ', buyers), h('label', {}, 'units ', units));
      request = () => ({ scenario: 'flash-sale', buyers: Number(buyers.value), units: Number(units.value) });
    }
    if (scenario.name === 'kill-replica' && scenario.enabled && frame) {
      const choices = frame.snapshot.nodes.filter(
        (n) => n.kind === 'service' && n.id !== 'gateway' && (n.replicas?.length ?? 0) >= 2,
      );
      const select = h(
        'select',
        { testid: 'kill-service', 'aria-label': 'service' },
        ...choices.map((n) => h('option', { value: n.id }, n.id)),
      );
      inputs.push(h('label', {}, 'service ', select));
      request = () => ({ scenario: 'kill-replica', service: select.value });
    }
    return h(
      'li',
      { testid: 'scenario', 'data-scenario': scenario.name, 'data-enabled': String(scenario.enabled) },
      h(
        'button',
        {
          type: 'button',
          disabled: !scenario.enabled,
          testid: `run-${scenario.name}`,
          title: scenario.reason ?? scenario.description,
          onclick: () => void start(request()),
        },
        scenario.title,
      ),
      ' ',
      ...inputs,
      h('div', { class: 'muted' }, scenario.description),
      scenario.reason
        ? h('div', { class: 'reason', testid: 'scenario-reason' }, `Disabled: ${scenario.reason}`)
        : null,
    );
  };
  const drawScenarios = () =>
    replace(
      scenarioPanel,
      h('h2', {}, 'Scenarios'),
      h('ul', { class: 'scenario-list' }, ...scenarios.items.map(scenarioControls)),
    );

  // The diagram wants the whole window, not the shop's reading width.
  ctx.view.classList.add('wide');
  replace(
    ctx.view,
    h('h1', {}, 'Architecture, live'),
    liveLine,
    h('div', { class: 'architecture' }, diagramHolder, details),
    h('div', { class: 'architecture-side' }, scenarioPanel, runPanel),
    runsTable,
  );
  drawScenarios();
  drawRuns(runs.items);

  const stream = new EventSource(controlStreamUrl(ctx.session.token!));
  let scenariosDrawnWithFrame = false;
  stream.addEventListener('snapshot', (event: MessageEvent<string>) => {
    if (!current()) return;
    frame = JSON.parse(event.data) as ControlFrame;
    draw();
    if (!scenariosDrawnWithFrame) {
      scenariosDrawnWithFrame = true;
      drawScenarios(); // the kill-replica choices come from the diagram
    }
    const run = frame.run;
    if (run) {
      lastRunId = run.id;
      drawRun(run);
    } else if (lastRunId && runPanel.querySelector('[data-status="running"]')) {
      void refreshRuns(); // the run just ended: its recorded outcome
    }
  });
  stream.onerror = () => {
    liveLine.textContent = 'reconnecting…';
  };
  ctx.onLeave(() => {
    stream.close();
    ctx.view.classList.remove('wide');
  });
}
