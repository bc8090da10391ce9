// Postroom console behaviour: CSRF header on htmx requests, confirmations, charts.
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });

  // <form data-confirm="Purge 12 messages?"> asks before submitting; buttons disable while a post runs.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
      return;
    }
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      window.setTimeout(function () { b.disabled = true; }, 0);
    });
  });

  // The purge confirmation's total follows the ticked states (each box carries its count in data-count).
  document.addEventListener("change", function (e) {
    var form = e.target.form;
    var total = form && form.querySelector("#purge-total");
    if (!total) { return; }
    var sum = 0;
    form.querySelectorAll("input[data-count]:checked").forEach(function (box) { sum += Number(box.getAttribute("data-count")); });
    total.textContent = sum.toLocaleString("en-US");
  });

  function color(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
  }

  var charts = [];

  function chartOptions(kind, width) {
    var axis = { stroke: color("--muted"), grid: { stroke: color("--line") }, ticks: { stroke: color("--line") } };
    var series = kind === "throughput"
      ? [{}, { label: "sent", stroke: color("--accent"), width: 2 },
             { label: "acked", stroke: color("--ok"), width: 2 },
             { label: "failed", stroke: color("--bad"), width: 2 }]
      : [{}, { label: "p50", stroke: color("--ok"), width: 2 },
             { label: "p95", stroke: color("--warn"), width: 2 },
             { label: "p99", stroke: color("--bad"), width: 2 }];
    return { width: width, height: 200, series: series, axes: [axis, axis], legend: { live: true } };
  }

  function dataFor(kind, s) {
    var columns = kind === "throughput" ? [s.t, s.sent, s.acked, s.failed] : [s.t, s.p50, s.p95, s.p99];
    // A server started a minute ago has a window of nothing before its first point: start the
    // chart just before the first activity instead of drawing a flat line across most of it.
    var first = s.t.length;
    for (var c = 1; c < columns.length; c++) {
      for (var i = 0; i < first; i++) {
        if (columns[c][i]) { first = i; break; }
      }
    }
    var from = first === s.t.length ? 0 : Math.max(0, Math.min(first, s.t.length - 2) - 1);
    return columns.map(function (column) { return column.slice(from); });
  }

  function refresh(entry) {
    fetch(entry.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || !s.t) { return; }
        var data = dataFor(entry.kind, s);
        if (!entry.plot) {
          entry.el.textContent = "";
          entry.plot = new uPlot(chartOptions(entry.kind, entry.el.clientWidth || 600), data, entry.el);
        } else {
          entry.plot.setData(data);
        }
        entry.el.setAttribute("data-points", String(s.t.length));
      })
      .catch(function () { /* the next refresh tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      charts.push({ el: el, kind: el.getAttribute("data-chart"), url: el.getAttribute("data-series"), plot: null });
    });
    if (!charts.length || typeof uPlot === "undefined") { return; }
    charts.forEach(refresh);
    window.setInterval(function () { charts.forEach(refresh); }, 5000);
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { if (c.plot) { c.plot.setSize({ width: c.el.clientWidth, height: 200 }); } });
    });
  });
})();
