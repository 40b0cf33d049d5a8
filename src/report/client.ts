/**
 * The page's own browser code, inlined after uPlot and the data. Plain ES2017 so any current
 * browser runs it from file://; every value from the history reaches the DOM through
 * textContent or canvas fillText, never as HTML. Exposes `window.dscheck` for section scripts.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('dscheck-data').textContent);
var COLORS = { ok: '#009E73', fail: '#D55E00', info: '#E69F00' };
var OUTCOMES = ['ok', 'fail', 'info'];
var FAULT_FILL = { partition: 'rgba(86,180,233,0.22)', kill: 'rgba(204,121,167,0.24)', pause: 'rgba(240,228,66,0.32)', loss: 'rgba(0,114,178,0.14)' };
var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
var unit = D.axis.unit;
function faultFill(kind) { return FAULT_FILL[kind] || 'rgba(0,0,0,0.09)'; }
function fmtX(x) { return unit === 's' ? (Math.round(x * 1000) / 1000).toFixed(3) + ' s' : 'event ' + Math.round(x); }
function fmtDuration(d) {
  if (unit !== 's') return Math.round(d) + ' events';
  var ms = d * 1000;
  return ms < 10 ? ms.toFixed(2) + ' ms' : ms < 1000 ? ms.toFixed(1) + ' ms' : (ms / 1000).toFixed(2) + ' s';
}
var tip = document.getElementById('tip');
function moveTip(ev) {
  var x = ev.clientX + 14, y = ev.clientY + 14;
  var w = tip.offsetWidth, h = tip.offsetHeight;
  if (x + w > window.innerWidth - 8) x = Math.max(8, ev.clientX - w - 14);
  if (y + h > window.innerHeight - 8) y = Math.max(8, ev.clientY - h - 14);
  tip.style.left = x + 'px';
  tip.style.top = y + 'px';
}
function showTip(ev, lines) {
  tip.textContent = '';
  lines.forEach(function (line) {
    var div = document.createElement('div');
    if (typeof line === 'string') div.textContent = line;
    else { div.textContent = line.text; if (line.cls) div.className = line.cls; }
    tip.appendChild(div);
  });
  tip.hidden = false;
  moveTip(ev);
}
function hideTip() { tip.hidden = true; }

window.dscheck = {
  data: D, colors: COLORS, faultFill: faultFill, fmtX: fmtX, fmtDuration: fmtDuration,
  showTip: showTip, moveTip: moveTip, hideTip: hideTip, plots: [], timeline: null,
  // For sections: a time plot like the page's own (fault shading, shared zoom); plot(id, series, data, yAxis, yScale).
  plot: makePlot,
  section: function (id, body) {
    var root = document.getElementById(id);
    try { body(root, D.sections[id], window.dscheck); }
    catch (e) {
      var p = document.createElement('p');
      p.className = 'note';
      p.textContent = 'This section could not be drawn: ' + e;
      root.appendChild(p);
      throw e;
    }
  }
};

// Fault windows: shaded under the data, labelled over it, on every time plot.
function faultPlugin() {
  function spans(u, draw) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    D.faults.forEach(function (f) {
      var x0 = u.valToPos(f.start, 'x', true), x1 = u.valToPos(f.end, 'x', true);
      if (x1 < b.left || x0 > b.left + b.width) return;
      draw(ctx, f, x0, Math.max(x1, x0 + 1), b);
    });
    ctx.restore();
  }
  var dpr = window.devicePixelRatio || 1;
  return {
    hooks: {
      drawClear: [function (u) {
        spans(u, function (ctx, f, x0, x1, b) { ctx.fillStyle = faultFill(f.kind); ctx.fillRect(x0, b.top, x1 - x0, b.height); });
      }],
      draw: [function (u) {
        spans(u, function (ctx, f, x0, x1, b) {
          ctx.font = (12 * dpr) + 'px ' + FONT;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'alphabetic';
          ctx.fillStyle = '#30363d';
          var text = f.label, room = x1 - x0 - 6 * dpr;
          if (ctx.measureText(text).width > room) text = f.kind;
          if (ctx.measureText(text).width > room && room < 20 * dpr) return;
          ctx.fillText(text, Math.max(x0, b.left) + 4 * dpr, b.top + 14 * dpr);
        });
      }]
    }
  };
}

function plotWidth(host) { return Math.max(320, host.clientWidth); }
var axisStyle = { font: '13px ' + FONT, labelFont: '14px ' + FONT, stroke: '#30363d', grid: { stroke: '#e6e8eb' }, ticks: { stroke: '#c9ced4' } };
function axis(extra) { var a = {}; for (var k in axisStyle) a[k] = axisStyle[k]; for (var e in extra) a[e] = extra[e]; return a; }
var xLabel = unit === 's' ? 'time since the run started (s)' : 'event';

function makePlot(id, series, data, yAxis, yScale) {
  var host = document.getElementById(id);
  if (!host) return;
  var opts = {
    width: plotWidth(host), height: 260,
    scales: { x: { time: false, range: [D.from, D.to] }, y: yScale || {} },
    axes: [axis({ label: xLabel }), axis(yAxis)],
    series: [{ value: function (u, v) { return v == null ? '' : fmtX(v); } }].concat(series),
    legend: { show: false },
    cursor: { sync: { key: 'dscheck-time' }, drag: { x: true, y: false } },
    plugins: [faultPlugin()],
    hooks: { setScale: [function (u, key) { if (key === 'x') syncZoom(u); }] }
  };
  var plot = new uPlot(opts, data, host);
  window.dscheck.plots.push(plot);
  return plot;
}

// Zooming one plot (drag) zooms all of them and moves the timeline's window there.
var syncing = false;
function syncZoom(source) {
  if (syncing) return;
  syncing = true;
  var min = source.scales.x.min, max = source.scales.x.max;
  window.dscheck.plots.forEach(function (p) { if (p !== source) p.setScale('x', { min: min, max: max }); });
  if (window.dscheck.timeline && (min > D.from || max < D.to)) window.dscheck.timeline.show(min, max);
  syncing = false;
}

var P = D.plots;
var pointSeries = [];
OUTCOMES.forEach(function (o) {
  ['min', 'max'].forEach(function (m) {
    pointSeries.push({
      label: o + ' ' + m, stroke: COLORS[o], paths: function () { return null; },
      points: { show: true, size: 4.5, width: 1, stroke: COLORS[o], fill: COLORS[o] }
    });
  });
});
makePlot('plot-latency', pointSeries, [P.latency.x].concat(P.latency.ys),
  { label: unit === 's' ? 'latency (ms, log scale)' : 'duration (events, log scale)', size: 70 },
  { distr: 3 });
var stepped = uPlot.paths.stepped({ align: 1 });
makePlot('plot-throughput', OUTCOMES.map(function (o) {
  return { label: o, stroke: COLORS[o], width: 2, paths: stepped, points: { show: false } };
}), [P.throughput.x].concat(P.throughput.ys),
  { label: unit === 's' ? 'completions per second' : 'completions per ' + P.throughput.width + ' events', size: 70 });
makePlot('plot-availability', [{ label: 'ok share', stroke: '#0072B2', width: 2, paths: stepped, points: { show: false } }],
  [P.availability.x, P.availability.y],
  { label: 'operations ok (%)', size: 70 }, { range: [0, 100] });

window.addEventListener('resize', function () {
  window.dscheck.plots.forEach(function (p) { p.setSize({ width: plotWidth(p.root.parentNode), height: 260 }); });
  if (window.dscheck.timeline) window.dscheck.timeline.resize();
});

// The timeline: every operation as a bar in its lane, on a canvas, through a window the user moves.
(function timeline() {
  var T = D.timeline, n = T.start.length;
  var main = document.getElementById('timeline-main'), over = document.getElementById('timeline-overview');
  var label = document.getElementById('timeline-window');
  if (!main || !over) return;
  var LEFT = 100, AXIS = 26, dpr = window.devicePixelRatio || 1;
  var lanes = T.lanes.length;
  var laneH = Math.max(6, Math.min(22, Math.floor(420 / Math.max(1, lanes))));
  var byLane = [];
  for (var l = 0; l < lanes; l++) byLane.push([]);
  for (var i = 0; i < n; i++) byLane[T.lane[i]].push(i);
  byLane.forEach(function (list) { list.sort(function (a, b) { return T.start[a] - T.start[b]; }); });
  var full = Math.max(D.to - D.from, 1e-9);
  var span = n <= 3000 ? full : Math.max(full * 3000 / n, full / 1000);
  var t0 = D.from;
  if (span < full && D.faults.length > 0) t0 = Math.max(D.from, D.faults[0].start - span * 0.2);
  var t1 = Math.min(D.to, t0 + span);
  var W = 0, H = 0, OW = 0, OH = 56;
  var density = null;

  function resize() {
    W = main.parentNode.clientWidth; H = AXIS + lanes * laneH + 4;
    main.style.width = W + 'px'; main.style.height = H + 'px';
    main.width = Math.round(W * dpr); main.height = Math.round(H * dpr);
    OW = W; over.style.width = OW + 'px'; over.style.height = OH + 'px';
    over.width = Math.round(OW * dpr); over.height = Math.round(OH * dpr);
    density = null;
    draw();
  }
  function px(t) { return LEFT + (t - t0) / (t1 - t0) * (W - LEFT - 8); }
  function opx(t) { return LEFT + (t - D.from) / full * (OW - LEFT - 8); }
  function ticks(a, b, count) {
    var step = Math.pow(10, Math.floor(Math.log10((b - a) / count)));
    var err = (b - a) / count / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    if (unit !== 's') step = Math.max(1, Math.round(step));
    var out = [];
    for (var t = Math.ceil(a / step) * step; t <= b; t += step) out.push(t);
    return out;
  }
  function draw() {
    var ctx = main.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = '12px ' + FONT;
    D.faults.forEach(function (f) {
      if (f.end < t0 || f.start > t1) return;
      var x0 = Math.max(LEFT, px(f.start)), x1 = Math.min(W - 8, px(f.end));
      ctx.fillStyle = faultFill(f.kind);
      ctx.fillRect(x0, AXIS, Math.max(1, x1 - x0), H - AXIS);
      ctx.fillStyle = '#30363d';
      if (x1 - x0 > ctx.measureText(f.label).width + 8) ctx.fillText(f.label, x0 + 4, AXIS - 14);
      else if (x1 - x0 > ctx.measureText(f.kind).width + 8) ctx.fillText(f.kind, x0 + 4, AXIS - 14);
    });
    ctx.fillStyle = '#30363d';
    ctx.strokeStyle = '#e6e8eb';
    ticks(t0, t1, Math.max(2, Math.floor((W - LEFT) / 110))).forEach(function (t) {
      var x = px(t);
      ctx.beginPath(); ctx.moveTo(x, AXIS); ctx.lineTo(x, H); ctx.stroke();
      ctx.fillText(fmtX(t), x + 3, AXIS - 2);
    });
    var shown = 0;
    for (var o = 0; o < 3; o++) {
      ctx.fillStyle = COLORS[OUTCOMES[o]];
      for (var i = 0; i < n; i++) {
        if (T.outcome[i] !== o || T.end[i] < t0 || T.start[i] > t1) continue;
        var x0 = Math.max(LEFT, px(T.start[i])), x1 = Math.min(W - 8, px(T.end[i]));
        ctx.globalAlpha = T.open[i] ? 0.35 : 1;
        ctx.fillRect(x0, AXIS + T.lane[i] * laneH + 1, Math.max(1.5, x1 - x0), laneH - 2);
        shown++;
      }
    }
    ctx.globalAlpha = 1;
    ctx.clearRect(0, AXIS, LEFT - 2, H);
    ctx.fillStyle = '#30363d';
    if (laneH >= 11) {
      for (var l = 0; l < lanes; l++) ctx.fillText(T.lanes[l], 4, AXIS + l * laneH + laneH / 2 + 4);
    } else {
      ctx.fillText(lanes + ' lanes', 4, AXIS + 14);
    }
    label.textContent = 'showing ' + fmtX(t0) + ' – ' + fmtX(t1) + ' of ' + fmtX(D.to) + ' · ' + shown.toLocaleString('en') + ' operations in view';
    drawOverview();
  }
  function drawOverview() {
    var ctx = over.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, OW, OH);
    var cols = Math.max(1, Math.floor(OW - LEFT - 8));
    if (!density) {
      density = new Float64Array(cols);
      for (var i = 0; i < n; i++) {
        var c = Math.floor((T.start[i] - D.from) / full * cols);
        density[Math.min(cols - 1, Math.max(0, c))]++;
      }
      density.max = 1;
      for (var k = 0; k < cols; k++) density.max = Math.max(density.max, density[k]);
    }
    D.faults.forEach(function (f) {
      ctx.fillStyle = faultFill(f.kind);
      ctx.fillRect(opx(f.start), 0, Math.max(1, opx(f.end) - opx(f.start)), OH);
    });
    ctx.fillStyle = '#8c959f';
    for (var c2 = 0; c2 < cols; c2++) {
      var h = density[c2] / density.max * (OH - 10);
      ctx.fillRect(LEFT + c2, OH - h, 1, h);
    }
    ctx.fillStyle = '#30363d';
    ctx.font = '12px ' + FONT;
    ctx.fillText('whole run', 4, OH / 2 + 4);
    var a = opx(t0), b = opx(t1);
    ctx.fillStyle = 'rgba(0,114,178,0.18)';
    ctx.fillRect(a, 0, Math.max(2, b - a), OH);
    ctx.strokeStyle = '#0072B2'; ctx.lineWidth = 2;
    ctx.strokeRect(a, 1, Math.max(2, b - a), OH - 2);
  }
  function show(a, b) {
    var w = Math.max(b - a, full / 1e6);
    if (w > full) w = full;
    a = Math.max(D.from, Math.min(a, D.to - w));
    t0 = a; t1 = a + w;
    draw();
  }
  function centerAt(t) { show(t - (t1 - t0) / 2, t + (t1 - t0) / 2); }
  function zoom(factor, at) {
    var c = at === undefined ? (t0 + t1) / 2 : at;
    show(c - (c - t0) * factor, c + (t1 - c) * factor);
  }
  function overviewTime(ev) {
    var r = over.getBoundingClientRect();
    return D.from + (ev.clientX - r.left - LEFT) / (OW - LEFT - 8) * full;
  }
  var dragging = false;
  over.addEventListener('mousedown', function (ev) { dragging = true; centerAt(overviewTime(ev)); });
  window.addEventListener('mousemove', function (ev) { if (dragging) centerAt(overviewTime(ev)); });
  window.addEventListener('mouseup', function () { dragging = false; });
  main.addEventListener('wheel', function (ev) {
    if (!ev.ctrlKey && !ev.shiftKey && Math.abs(ev.deltaX) <= Math.abs(ev.deltaY) && !ev.altKey) {
      ev.preventDefault();
      var r = main.getBoundingClientRect();
      var at = t0 + (ev.clientX - r.left - LEFT) / (W - LEFT - 8) * (t1 - t0);
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, at);
    }
  }, { passive: false });
  function find(ev) {
    var r = main.getBoundingClientRect();
    var x = ev.clientX - r.left, y = ev.clientY - r.top;
    if (x < LEFT || y < AXIS) return -1;
    var lane = Math.floor((y - AXIS) / laneH);
    if (lane < 0 || lane >= lanes) return -1;
    var t = t0 + (x - LEFT) / (W - LEFT - 8) * (t1 - t0), slack = 3 / (W - LEFT - 8) * (t1 - t0);
    var list = byLane[lane], lo = 0, hi = list.length - 1, at = -1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (T.start[list[mid]] <= t + slack) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    for (var j = at; j >= 0 && j > at - 8; j--) { var op = list[j]; if (T.end[op] + slack >= t) return op; }
    return -1;
  }
  main.addEventListener('mousemove', function (ev) {
    var i = find(ev);
    if (i < 0) { hideTip(); return; }
    var o = OUTCOMES[T.outcome[i]];
    var lines = [{ text: 'p' + T.process[i] + ' · ' + T.fs[T.f[i]] + (T.keys[T.key[i]] === null ? '' : ' · key ' + T.keys[T.key[i]]), cls: 'tip-head' }];
    if (T.text[i]) lines.push(T.text[i]);
    lines.push({ text: o + (T.open[i] ? ' · never completed' : ' · ' + fmtDuration(T.end[i] - T.start[i])), cls: 'tip-' + o });
    lines.push(fmtX(T.start[i]) + ' → ' + (T.open[i] ? 'end of history' : fmtX(T.end[i])));
    if (T.node[i] >= 0) lines.push('node ' + T.nodes[T.node[i]]);
    if (T.error[i] >= 0) lines.push('error: ' + T.errors[T.error[i]]);
    showTip(ev, lines);
  });
  main.addEventListener('mouseleave', hideTip);
  var buttons = { 'tl-left': function () { show(t0 - (t1 - t0) * 0.8, t1 - (t1 - t0) * 0.8); },
    'tl-right': function () { show(t0 + (t1 - t0) * 0.8, t1 + (t1 - t0) * 0.8); },
    'tl-in': function () { zoom(0.5); }, 'tl-out': function () { zoom(2); },
    'tl-all': function () { show(D.from, D.to); } };
  Object.keys(buttons).forEach(function (id) { var b = document.getElementById(id); if (b) b.addEventListener('click', buttons[id]); });
  main.tabIndex = 0;
  main.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowLeft') buttons['tl-left']();
    else if (ev.key === 'ArrowRight') buttons['tl-right']();
    else if (ev.key === '+' || ev.key === '=') buttons['tl-in']();
    else if (ev.key === '-') buttons['tl-out']();
    else return;
    ev.preventDefault();
  });
  window.dscheck.timeline = { show: show, resize: resize, window: function () { return [t0, t1]; } };
  resize();
})();

var copy = document.getElementById('copy-command');
if (copy && navigator.clipboard) copy.addEventListener('click', function () {
  navigator.clipboard.writeText(document.getElementById('command').textContent).then(function () { copy.textContent = 'copied'; }, function () {});
});
})();
`;
