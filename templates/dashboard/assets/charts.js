// The overview's two trend charts, drawn with uPlot (served from the package, /dashboard/assets/uplot.js).
(function () {
  var source = document.getElementById('trend');
  if (!source || typeof uPlot === 'undefined') return;
  var trend = JSON.parse(source.textContent);
  var xs = trend.days.map(function (d) { return Date.parse(d + 'T12:00:00Z') / 1000; });
  var charts = [];

  function width(el) { return Math.max(260, Math.floor(el.getBoundingClientRect().width)); }
  function draw(id, series, data, bars) {
    var el = document.getElementById(id);
    if (!el) return;
    var opts = {
      width: width(el), height: 220, legend: { show: true, live: false },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{ splits: function () { return xs; }, values: function (u, splits) { return splits.map(function (s) { return new Date(s * 1000).toISOString().slice(5, 10); }); } }, { size: 40 }],
      series: [{}].concat(series.map(function (s) {
        return { label: s.label, stroke: s.color, fill: bars ? s.color + '55' : undefined, width: 2, spanGaps: true, points: { show: true } };
      })),
    };
    var chart = new uPlot(opts, [xs].concat(data), el);
    charts.push({ chart: chart, el: el });
    el.setAttribute('data-drawn', 'true');
  }

  draw('chart-conversations', [{ label: trend.labels.bot, color: '#2e7d32' }, { label: trend.labels.handed, color: '#ef6c00' }], [trend.botOnly, trend.handedOver], true);
  draw('chart-reply', [{ label: trend.labels.bot, color: '#2e7d32' }, { label: trend.labels.human, color: '#1565c0' }], [trend.botReply, trend.humanReply], false);

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.chart.setSize({ width: width(c.el), height: 220 }); });
  });
})();
