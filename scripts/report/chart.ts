/**
 * Figures: Vega-Lite specs compiled to Vega and rendered to SVG in Node, with no browser and no
 * canvas (the `none` renderer; text is measured by Vega's built-in estimate).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The look shared by every figure. */
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e5e5e5' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' },
  view: { stroke: '#cccccc' },
} as const;

/**
 * Renders a Vega-Lite spec (with inline data) to an SVG document.
 * @throws Error from Vega-Lite or Vega when the spec is invalid.
 */
export async function renderSvg(spec: Readonly<Record<string, unknown>>): Promise<string> {
  const full = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    ...spec,
    config: { ...CONFIG, ...((spec.config as object | undefined) ?? {}) },
  } as unknown as TopLevelSpec;
  const view = new View(parse(compile(full).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
