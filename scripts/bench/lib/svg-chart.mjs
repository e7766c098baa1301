/**
 * Line charts as SVG text, drawn from a run's own figures (the growth suite's charts in
 * docs/bench/). Dependency-free on purpose: a few panels of lines over a handful of points need
 * axes, ticks, a legend and labels, not a plotting library and a headless browser. The x axis is
 * categorical (its points evenly spaced: the growth steps are geometric, so this is a log scale);
 * the y axis is linear from 0 or, with `log: true`, logarithmic. A missing figure (NaN) leaves a
 * gap in its line.
 */
const PANEL = { width: 470, height: 300, left: 64, right: 16, top: 44, bottom: 48 };
const TITLE_HEIGHT = 34;
const FOOTER_LINE = 15;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const round = (n) => Math.round(n * 10) / 10;

/** 1234 → '1.2k', 2500000 → '2.5M', 0.25 → '0.25': short enough for a tick or a point label. */
export function compact(n) {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  if (abs >= 100) return String(Math.round(n));
  return trim(n);
}

function trim(n) {
  return String(Number(n.toPrecision(Math.abs(n) >= 1 ? 3 : 2)));
}

function text(x, y, content, attributes = '') {
  return `<text x="${round(x)}" y="${round(y)}" ${attributes}>${escape(content)}</text>`;
}

function line(x1, y1, x2, y2, attributes) {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" ${attributes}/>`;
}

/** A step of 1, 2 or 5 × 10^k giving about five ticks up to `max`. */
function niceStep(max) {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

/** The y scale: value → pixel, and its ticks. */
function yScale(values, log, top, bottom) {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const low = Math.floor(Math.log10(Math.min(...finite, 1e9)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...finite, 1))));
    const at = (v) => bottom - ((Math.log10(v) - low) / (high - low)) * (bottom - top);
    return { at, ticks: Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i)) };
  }
  const step = niceStep(Math.max(...finite, 1e-9));
  const max = Math.ceil(Math.max(...finite, step) / step) * step;
  const at = (v) => bottom - (v / max) * (bottom - top);
  return { at, ticks: Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step) };
}

function axes(panel, box, y, xAt) {
  const { left, right, top, bottom } = box;
  const parts = [];
  for (const tick of y.ticks) {
    parts.push(line(left, y.at(tick), right, y.at(tick), 'stroke="#e4e4e4"'));
    parts.push(text(left - 6, y.at(tick) + 4, compact(tick), 'text-anchor="end" fill="#555"'));
  }
  parts.push(line(left, bottom, right, bottom, 'stroke="#333"'), line(left, top, left, bottom, 'stroke="#333"'));
  panel.x.forEach((label, i) => parts.push(text(xAt(i), bottom + 16, label, 'text-anchor="middle" fill="#333"')));
  parts.push(text((left + right) / 2, bottom + 36, panel.xTitle, 'text-anchor="middle" fill="#333"'));
  const middle = (top + bottom) / 2;
  parts.push(text(14, middle, panel.yTitle, `text-anchor="middle" fill="#333" transform="rotate(-90 14 ${middle})"`));
  return parts;
}

/**
 * One series: its line (broken where a figure is missing), its points and their values; a value
 * goes under its point where another series is higher there, so close lines do not overprint.
 */
function series(values, others, color, y, xAt) {
  const parts = [];
  let path = [];
  const flush = () => {
    if (path.length > 1)
      parts.push(`<polyline points="${path.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    path = [];
  };
  values.forEach((value, i) => {
    if (!Number.isFinite(value) || (y.log && value <= 0)) return flush();
    const [px, py] = [round(xAt(i)), round(y.at(value))];
    path.push(`${px},${py}`);
    parts.push(`<circle cx="${px}" cy="${py}" r="3.5" fill="${color}"/>`);
    const below = others.some((other) => other[i] > value);
    parts.push(text(px + 5, below ? py + 14 : py - 6, compact(value), `font-size="10" fill="${color}"`));
  });
  flush();
  return parts;
}

/** A dashed horizontal line at a value worth comparing with (a target), labelled at its right end. */
function reference(mark, box, y) {
  if (!mark) return [];
  const at = y.at(mark.value);
  return [
    line(box.left, at, box.right, at, 'stroke="#888" stroke-dasharray="5 4"'),
    text(box.right - 4, at - 5, mark.label, 'text-anchor="end" font-size="10" fill="#666"'),
  ];
}

function legend(list, left, top) {
  return list.flatMap(({ name }, i) => {
    const y = top + 14 * i;
    return [
      line(left, y - 4, left + 18, y - 4, `stroke="${COLORS[i % COLORS.length]}" stroke-width="2"`),
      text(left + 23, y, name, 'font-size="11" fill="#333"'),
    ];
  });
}

/**
 * One panel: { title, x: labels, xTitle, yTitle, series: [{ name, values }], log, reference:
 * { value, label } }, drawn with its top-left corner at (dx, dy).
 */
function panelSvg(panel, dx, dy) {
  const top = PANEL.top + 14 * Math.max(0, panel.series.length - 1);
  const box = { left: PANEL.left, right: PANEL.width - PANEL.right, top, bottom: PANEL.height - PANEL.bottom };
  const all = [...panel.series.flatMap((s) => s.values), panel.reference?.value ?? NaN];
  const y = { ...yScale(all, panel.log, box.top, box.bottom), log: panel.log };
  const step = (box.right - box.left) / Math.max(1, panel.x.length);
  const xAt = (i) => box.left + step * (i + 0.5);
  const others = (s) => panel.series.filter((other) => other !== s).map((other) => other.values);
  return [
    `<g transform="translate(${dx} ${dy})">`,
    text(PANEL.width / 2, 16, panel.title, 'text-anchor="middle" font-weight="bold" fill="#222"'),
    ...legend(panel.series, box.left + 8, 34),
    ...axes(panel, box, y, xAt),
    ...reference(panel.reference, box, y),
    ...panel.series.flatMap((s, i) => series(s.values, others(s), COLORS[i % COLORS.length], y, xAt)),
    '</g>',
  ];
}
/**
 * A chart of panels side by side, with a title above and footer lines below (the machine, the
 * versions and the load it was measured under).
 */
export function chartSvg({ title, panels, footer = [] }) {
  const width = PANEL.width * panels.length;
  const height = TITLE_HEIGHT + PANEL.height + FOOTER_LINE * footer.length + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(width / 2, 22, title, 'text-anchor="middle" font-size="15" font-weight="bold" fill="#111"'),
    ...panels.flatMap((panel, i) => panelSvg(panel, PANEL.width * i, TITLE_HEIGHT)),
    ...footer.map((content, i) =>
      text(10, TITLE_HEIGHT + PANEL.height + FOOTER_LINE * (i + 1), content, 'font-size="10.5" fill="#555"'),
    ),
    '</svg>',
    '',
  ].join('\n');
}
