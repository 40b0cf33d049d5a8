/**
 * The comparison page's browser code: every run's availability and throughput per second on
 * shared axes (time since each run's start), each run's fault windows as a strip of its colour
 * along the top of each plot. Plain ES2017, values reach the DOM only through textContent.
 */
export const COMPARE_SCRIPT = `
(function () {
'use strict';
var D = JSON.parse(document.getElementById('compare-data').textContent);
var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
var api = { data: D, plots: [] };
window.dscheckCompare = api;
var runs = D.runs;
var last = 0;
runs.forEach(function (r) {
  if (r.second.length > 0) last = Math.max(last, r.second[r.second.length - 1] + 1);
  r.faults.forEach(function (f) { last = Math.max(last, f.end); });
});
var xs = [];
for (var s = 0; s <= Math.ceil(last); s++) xs.push(s);
function column(r, field) {
  var out = xs.map(function () { return null; });
  r.second.forEach(function (sec, i) { out[sec] = r[field][i]; });
  // A stepped line holds each value until the next x: repeat the last second so it is drawn whole.
  var end = r.second.length > 0 ? r.second[r.second.length - 1] : -1;
  if (end >= 0 && end + 1 < out.length) out[end + 1] = out[end];
  return out;
}
var LANE = 5;
function faultLanes() {
  return { hooks: { draw: [function (u) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    runs.forEach(function (r, i) {
      ctx.fillStyle = r.color;
      ctx.globalAlpha = 0.07;
      r.faults.forEach(function (f) {
        var x0 = u.valToPos(f.start, 'x', true), x1 = u.valToPos(f.end, 'x', true);
        ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
      });
      ctx.globalAlpha = 0.9;
      r.faults.forEach(function (f) {
        var x0 = u.valToPos(f.start, 'x', true), x1 = u.valToPos(f.end, 'x', true);
        ctx.fillRect(x0, b.top + i * LANE * dpr, Math.max(1, x1 - x0), (LANE - 1) * dpr);
      });
    });
    ctx.restore();
  }] } };
}
var axisStyle = { font: '13px ' + FONT, labelFont: '14px ' + FONT, stroke: '#30363d', grid: { stroke: '#e6e8eb' }, ticks: { stroke: '#c9ced4' } };
function axis(extra) { var a = {}; for (var k in axisStyle) a[k] = axisStyle[k]; for (var e in extra) a[e] = extra[e]; return a; }
function width(host) { return Math.max(320, host.clientWidth); }
var stepped = uPlot.paths.stepped({ align: 1 });
function plot(id, field, yLabel, yScale) {
  var host = document.getElementById(id);
  if (!host) return;
  var series = [{ value: function (u, v) { return v == null ? '' : v + ' s'; } }].concat(runs.map(function (r) {
    return { label: r.label, stroke: r.color, width: 2, paths: stepped, points: { show: false }, spanGaps: false };
  }));
  var data = [xs].concat(runs.map(function (r) { return column(r, field); }));
  var p = new uPlot({
    width: width(host), height: 280,
    scales: { x: { time: false, range: [0, Math.max(1, last)] }, y: yScale || {} },
    axes: [axis({ label: "time since the run's start (s)" }), axis({ label: yLabel, size: 70 })],
    series: series,
    legend: { show: false },
    cursor: { sync: { key: 'dscheck-compare' }, drag: { x: true, y: false } },
    plugins: [faultLanes()],
    hooks: { setScale: [function (u, key) { if (key === 'x') zoomAll(u); }] }
  }, data, host);
  api.plots.push(p);
}
var syncing = false;
function zoomAll(source) {
  if (syncing) return;
  syncing = true;
  api.plots.forEach(function (p) { if (p !== source) p.setScale('x', { min: source.scales.x.min, max: source.scales.x.max }); });
  syncing = false;
}
plot('plot-availability', 'answeredPct', 'answered (%)', { range: [0, 100] });
plot('plot-throughput', 'opsPerS', 'operations per second');
window.addEventListener('resize', function () {
  api.plots.forEach(function (p) { p.setSize({ width: width(p.root.parentNode), height: 280 }); });
});
document.querySelectorAll('button.copy').forEach(function (button) {
  button.addEventListener('click', function () {
    var code = document.getElementById(button.getAttribute('data-for'));
    if (code && navigator.clipboard) navigator.clipboard.writeText(code.textContent).then(function () { button.textContent = 'copied'; }, function () {});
  });
});
})();
`;
